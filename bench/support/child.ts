import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Waiter<Out> {
  type: string;
  resolve: (message: Out) => void;
  reject: (error: Error) => void;
}

/**
 * A bench module run in a child Node process, loaded through tsx like the parent, talking over
 * IPC. Used to keep WebSocket clients off the server's event loop, and to get `--expose-gc`.
 */
export class ChildScript<In extends object, Out extends { type: string }> {
  private readonly child: ChildProcess;
  private readonly inbox: Out[] = [];
  private readonly waiters: Waiter<Out>[] = [];
  private exited: Error | null = null;

  constructor(module: URL, options: { execArgv?: string[] } = {}) {
    this.child = fork(fileURLToPath(module), [], {
      execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: Out) => {
      const index = this.waiters.findIndex((w) => w.type === message.type);
      if (index < 0) return void this.inbox.push(message);
      this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    // 'close', not 'exit': a large message may still be in the IPC pipe when the process exits.
    this.child.on('close', (code, signal) => {
      this.exited = new Error(`child ${fileURLToPath(module)} exited (${signal ?? code})`);
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.exited);
    });
  }

  /** The child's process id (to pin it to a core, or read its memory). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends `message`; a child that already exited gets nothing. */
  send(message: In): void {
    if (this.child.connected) this.child.send(message);
  }

  /**
   * Resolves with the next message of `type`.
   * @throws Error when the child exits first or nothing arrives within `timeoutMs`.
   */
  next<T extends Out['type']>(type: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    const queued = this.inbox.findIndex((m) => m.type === type);
    if (queued >= 0) return Promise.resolve(this.inbox.splice(queued, 1)[0] as Extract<Out, { type: T }>);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<Out> = {
        type,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message as Extract<Out, { type: T }>);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no "${type}" message from the child within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Sends `message` and resolves with the reply of type `replyType`. */
  request<T extends Out['type']>(message: In, replyType: T, timeoutMs: number): Promise<Extract<Out, { type: T }>> {
    const reply = this.next(replyType, timeoutMs);
    this.send(message);
    return reply;
  }

  /** Waits up to `graceMs` for the child to exit on its own, then kills it (this child only, by pid). */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
