/**
 * The webview end of the protocol: wraps `acquireVsCodeApi()` (called once, as VS Code
 * requires) in an RpcClient, routes host messages to it, and announces `ready`. The page
 * then pulls its initial state with a request.
 */
import { RpcClient } from '../../src/protocol/rpc';
import type { PanelProtocol, WebviewToHost } from '../../src/protocol/protocol';
import { isHostMessage } from '../../src/protocol/validate';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function connect<P extends PanelProtocol>(): RpcClient<P> {
  const vs = vscodeApi();
  const client = new RpcClient<P>((m: WebviewToHost<P>) => vs.postMessage(m));
  window.addEventListener('message', (e: MessageEvent) => {
    if (isHostMessage(e.data)) client.handle(e.data);
  });
  return client;
}
