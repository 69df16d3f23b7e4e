/**
 * Both ends of the request/response envelope of protocol.ts, independent of transport (a
 * `post` function in, `handle(message)` for what arrives), so host, webview and tests share
 * them.
 *
 *  * RpcClient (the webview side): numbered requests; every request settles — with the
 *    result, an error reply, 'timeout' when no reply or progress arrives within the timeout,
 *    or 'cancelled' when its AbortSignal fires (a `cancel` message is then sent to the host).
 *  * RpcServer (the host side): validates every message with the panel schema, runs the
 *    handler with an AbortSignal and a progress callback, and always answers a request once.
 */
import type {
  AnyMessage, CancelMessage, EventMessage, HostToWebview, PanelProtocol, ProtocolError, RequestMessage, ResponseMessage, WebviewToHost,
} from './protocol';
import { DEFAULT_TIMEOUT_MS } from './protocol';
import { type PanelSchema, validateWebviewMessage } from './validate';

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface RequestOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number, label?: string) => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  timeoutMs: number;
  onProgress?: RequestOptions['onProgress'];
  cleanup(): void;
}

export class RpcClient<P extends PanelProtocol> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventHandlers = new Map<string, Set<(payload: unknown) => void>>();

  constructor(private readonly post: (msg: WebviewToHost<P>) => void) {}

  request<M extends keyof P['requests'] & string>(
    method: M,
    params: P['requests'][M]['params'],
    options: RequestOptions = {},
  ): Promise<P['requests'][M]['result']> {
    const messageId = this.nextId++;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new RpcError('cancelled', `${method} cancelled`));
        return;
      }
      const onAbort = (): void => {
        this.settle(messageId, undefined, new RpcError('cancelled', `${method} cancelled`));
        this.post({ type: 'cancel', target: messageId } as CancelMessage as WebviewToHost<P>);
      };
      const p: Pending = {
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: undefined,
        timeoutMs,
        onProgress: options.onProgress,
        cleanup: () => options.signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(messageId, p);
      this.arm(messageId, method);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.post({ type: 'request', messageId, method, params } as RequestMessage as WebviewToHost<P>);
    });
  }

  emit<N extends keyof P['webviewEvents'] & string>(name: N, payload: P['webviewEvents'][N]): void {
    this.post({ type: 'event', name, payload } as EventMessage as WebviewToHost<P>);
  }

  on<N extends keyof P['hostEvents'] & string>(name: N, handler: (payload: P['hostEvents'][N]) => void): () => void {
    let set = this.eventHandlers.get(name);
    if (!set) this.eventHandlers.set(name, (set = new Set()));
    set.add(handler as (payload: unknown) => void);
    return () => set.delete(handler as (payload: unknown) => void);
  }

  /** Feed every message that arrives from the host. Returns false for messages it does not know. */
  handle(msg: HostToWebview<P> | AnyMessage): boolean {
    if (msg.type === 'response') {
      const r = msg as ResponseMessage;
      if ('error' in r) this.settle(r.inReplyTo, undefined, new RpcError(r.error.code, r.error.message));
      else this.settle(r.inReplyTo, r.result, undefined);
      return true;
    }
    if (msg.type === 'progress') {
      const p = this.pending.get(msg.inReplyTo);
      if (p) {
        this.arm(msg.inReplyTo, 'request'); // progress proves the host is alive: re-arm the timeout
        p.onProgress?.(msg.done, msg.total, msg.label);
      }
      return true;
    }
    if (msg.type === 'event') {
      for (const h of this.eventHandlers.get(msg.name) ?? []) h(msg.payload);
      return true;
    }
    return false;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects everything still pending (the panel is closing). */
  dispose(): void {
    for (const id of [...this.pending.keys()]) this.settle(id, undefined, new RpcError('disposed', 'the panel was closed'));
  }

  private arm(id: number, method: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = setTimeout(() => this.settle(id, undefined, new RpcError('timeout', `${method}: no reply from the extension host within ${p.timeoutMs} ms`)), p.timeoutMs);
  }

  private settle(id: number, value: unknown, error: RpcError | undefined): void {
    const p = this.pending.get(id);
    if (!p) return; // late reply after timeout/cancel: ignored
    this.pending.delete(id);
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.cleanup();
    if (error) p.reject(error);
    else p.resolve(value);
  }
}

export interface HandlerContext {
  readonly signal: AbortSignal;
  progress(done: number, total: number, label?: string): void;
}

export type RequestHandlers<P extends PanelProtocol> = {
  [M in keyof P['requests']]: (params: P['requests'][M]['params'], ctx: HandlerContext) => Promise<P['requests'][M]['result']> | P['requests'][M]['result'];
};

export type EventHandlers<P extends PanelProtocol> = {
  [N in keyof P['webviewEvents']]?: (payload: P['webviewEvents'][N]) => void;
};

/** Maps a thrown value to a reply error. Errors with a string `code` (VariantLensError) keep it. */
export function toProtocolError(e: unknown): ProtocolError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const isAbort = e.name === 'AbortError';
    return { code: isAbort ? 'cancelled' : typeof code === 'string' ? code : 'internal', message: e.message };
  }
  return { code: 'internal', message: String(e) };
}

export class RpcServer<P extends PanelProtocol> {
  private readonly running = new Map<number, AbortController>();

  constructor(
    private readonly schema: PanelSchema<P>,
    private readonly handlers: RequestHandlers<P>,
    private readonly events: EventHandlers<P>,
    private readonly post: (msg: HostToWebview<P>) => void,
    /** Called for messages that fail validation (logged by the host; never thrown). */
    private readonly onInvalid: (error: string) => void = () => undefined,
  ) {}

  /** Feed every raw message from the webview. Resolves when a request has been answered. */
  async handle(raw: unknown): Promise<void> {
    const v = validateWebviewMessage(this.schema, raw);
    if (!v.ok) {
      this.onInvalid(v.error);
      if (v.messageId !== undefined) this.reply(v.messageId, undefined, { code: 'invalid-message', message: v.error });
      return;
    }
    const msg = v.message as AnyMessage;
    if (msg.type === 'cancel') {
      this.running.get(msg.target)?.abort();
      return;
    }
    if (msg.type === 'event') {
      const h = (this.events as Record<string, ((p: unknown) => void) | undefined>)[msg.name];
      try {
        h?.(msg.payload);
      } catch (e) {
        this.onInvalid(`event ${msg.name} handler failed: ${toProtocolError(e).message}`);
      }
      return;
    }
    if (msg.type !== 'request') return;
    const { messageId, method, params } = msg;
    if (this.running.has(messageId)) {
      this.onInvalid(`duplicate messageId ${messageId}`);
      return;
    }
    const controller = new AbortController();
    this.running.set(messageId, controller);
    const handler = (this.handlers as Record<string, (p: unknown, c: HandlerContext) => unknown>)[method]!;
    const ctx: HandlerContext = {
      signal: controller.signal,
      progress: (done, total, label) => {
        if (!controller.signal.aborted) this.post({ type: 'progress', inReplyTo: messageId, done, total, ...(label ? { label } : {}) });
      },
    };
    try {
      const result = await handler(params, ctx);
      if (controller.signal.aborted) this.reply(messageId, undefined, { code: 'cancelled', message: `${method} cancelled` });
      else this.reply(messageId, result, undefined);
    } catch (e) {
      const err = controller.signal.aborted ? { code: 'cancelled', message: `${method} cancelled` } : toProtocolError(e);
      this.reply(messageId, undefined, err);
    } finally {
      this.running.delete(messageId);
    }
  }

  emit<N extends keyof P['hostEvents'] & string>(name: N, payload: P['hostEvents'][N]): void {
    this.post({ type: 'event', name, payload } as EventMessage as HostToWebview<P>);
  }

  /** Aborts all running handlers (the panel was closed). */
  dispose(): void {
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  private reply(inReplyTo: number, result: unknown, error: ProtocolError | undefined): void {
    this.post((error ? { type: 'response', inReplyTo, error } : { type: 'response', inReplyTo, result }) as HostToWebview<P>);
  }
}
