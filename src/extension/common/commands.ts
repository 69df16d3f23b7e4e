/**
 * Registering a command the same way in every feature: errors are logged and shown as
 * "Variant Lens: <message>" instead of reaching VS Code as a rejected command.
 */
import * as vscode from 'vscode';
import type { Log } from './log';

export type CommandFn = (...args: unknown[]) => unknown;

export function registerCommand(context: vscode.ExtensionContext, log: Log, id: string, fn: CommandFn): void {
  context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await fn(...args);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.error(`${id}: ${message}`);
      void vscode.window.showErrorMessage(`Variant Lens: ${message}`);
      return undefined;
    }
  }));
}
