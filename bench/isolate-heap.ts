// The memory a Worker's isolate holds, read through the V8 inspector that
// `wrangler dev --inspector-port` exposes. workerd's RSS also counts the
// local D1, R2 and Durable Object services and memory the allocator keeps;
// the isolate limit (128 MB) is about the isolate's V8 heap and the array
// buffers it holds, which is what Runtime.getHeapUsage reports. V8 collects
// lazily where there is no limit, so a peak includes garbage not yet
// collected: an upper bound of what the isolate needed, not what it kept.

export interface IsolateHeap {
  /** V8 heap in use plus array buffer backing stores, in MB. */
  sample(): Promise<number>;
  close(): void;
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize?: number;
}

export async function connectIsolateHeap(inspectorPort: number): Promise<IsolateHeap> {
  const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const target = targets[0];
  if (target === undefined) throw new Error(`no inspector target on port ${inspectorPort}`);
  // wrangler's inspector proxy wants a local Origin. Node's WebSocket (undici)
  // takes headers in its second argument, which the DOM typing does not know.
  const ws = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { origin: 'http://127.0.0.1' },
  } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('the inspector refused the connection')), {
      once: true,
    });
  });
  let nextId = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) waiting.get(message.id)?.(message.result);
    if (message.id !== undefined) waiting.delete(message.id);
  });
  const call = (method: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`the inspector did not answer ${method}`));
      }, 10_000);
      waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      ws.send(JSON.stringify({ id, method }));
    });
  return {
    async sample() {
      const usage = (await call('Runtime.getHeapUsage')) as HeapUsage;
      return (usage.usedSize + (usage.backingStorageSize ?? 0)) / (1024 * 1024);
    },
    close: () => ws.close(),
  };
}
