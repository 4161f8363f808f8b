// What `cida-docker build` shows while it packs and sends the context: on a terminal, listr2
// tasks (files, MB, MB/s) and then docker's own output; without a terminal or with CI=true, a plain
// line for each; with -q nothing but docker's (the image id).
import type { ChildProcess } from 'node:child_process';
import { Listr } from 'listr2';
import type { PackProgress } from './pack.js';

export interface Reporter {
  packing(): void;
  packed(files: number | null, bytes: number): void;
  sending(progress: PackProgress, total: number, started: number): void;
  sent(progress: PackProgress, started: number): void;
  /** Ends the display; resolves once held output is written. */
  stop(): Promise<void>;
  /** Where the broker's output goes (undefined: straight to the terminal). */
  readonly output?: (child: ChildProcess) => void;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;
const rate = (n: number, started: number): string =>
  `${(n / 1e6 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1)} MB/s`;

function plain(quiet: boolean): Reporter {
  const say = (t: string): void => {
    if (!quiet) process.stderr.write(`cida-docker build: ${t}\n`);
  };
  return {
    packing: () => {},
    packed: (files, bytes) => say(files === null ? 'context from stdin' : `context: ${files} files, ${mb(bytes)}`),
    sending: () => {},
    sent: (p, started) =>
      say(
        `sent ${p.files} files, ${mb(p.bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${rate(p.bytes, started)})`,
      ),
    stop: async () => {},
  };
}

function fancy(): Reporter {
  let resolvePack!: () => void;
  let resolveSend!: () => void;
  const packDone = new Promise<void>((r) => (resolvePack = r));
  const sendDone = new Promise<void>((r) => (resolveSend = r));
  let packTitle = 'Packing the context';
  let sendTitle = 'Sending the context';
  let timer: NodeJS.Timeout | null = null;
  const held: { stream: NodeJS.WriteStream; data: Buffer }[] = [];
  let holding = true;
  let finished = false;
  const list = new Listr(
    [
      {
        title: packTitle,
        task: async (_, task) => {
          await packDone;
          task.title = packTitle;
        },
      },
      {
        title: sendTitle,
        task: async (_, task) => {
          const tick = setInterval(() => (task.title = sendTitle), 200);
          await sendDone;
          clearInterval(tick);
          task.title = sendTitle;
        },
      },
    ],
    { concurrent: false, exitOnError: false, rendererOptions: { collapseSubtasks: false } },
  );
  const running = list.run().catch(() => {});
  let releasing: Promise<void> | null = null;
  const release = (): Promise<void> =>
    (releasing ??= (async () => {
      resolvePack();
      resolveSend();
      await running;
      holding = false;
      for (const h of held.splice(0)) h.stream.write(h.data);
    })());
  return {
    packing: () => {},
    packed: (files, bytes) => {
      packTitle = files === null ? 'Context from stdin' : `Packed the context: ${files} files, ${mb(bytes)}`;
      resolvePack();
    },
    sending: (p, total, started) => {
      timer = setInterval(() => {
        sendTitle = `Sending the context: ${p.files} files, ${mb(p.bytes)}${total > 0 ? ` of ${mb(total)}` : ''}, ${rate(p.bytes, started)}`;
      }, 200);
    },
    sent: (p, started) => {
      if (timer) clearInterval(timer);
      sendTitle = `Sent the context: ${p.files} files, ${mb(p.bytes)} (${rate(p.bytes, started)})`;
      void release();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      if (!finished) finished = true;
      await release();
    },
    output: (child) => {
      const pass = (from: NodeJS.ReadableStream | null, to: NodeJS.WriteStream): void => {
        from?.on('data', (data: Buffer) => {
          if (holding) held.push({ stream: to, data });
          else to.write(data);
        });
      };
      pass(child.stdout, process.stdout);
      pass(child.stderr, process.stderr);
      // A refusal arrives before the context is sent: show it at once.
      child.on('close', () => void release());
    },
  };
}

export function startReporter(tty: boolean, quiet: boolean): Reporter {
  return tty ? fancy() : plain(quiet);
}
