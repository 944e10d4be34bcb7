import { FleetError } from '../shared/errors';

/** Reads all of standard input; drops one trailing newline (what `echo` and here-strings add). */
export async function readStdinSecret(what: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new FleetError(
      'invalid_input',
      `--${what}-stdin reads the ${what} from standard input; pipe it in`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (text.length === 0) throw new FleetError('invalid_input', `no ${what} on standard input`);
  return text;
}

/** Asks for a passphrase on the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  let answer = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve();
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new FleetError('store_locked', 'cancelled'));
            return;
          }
          if (ch === '\u007f') answer = answer.slice(0, -1);
          else answer += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
  return answer;
}
