import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** The root of the git checkout that holds `directory`. */
export function repositoryRoot(directory: string): string {
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: directory, encoding: 'utf8' }).trim();
}

/**
 * Writes the files of a commit (default HEAD) to `destination`, as a fresh clone would have them:
 * nothing untracked, ignored or uncommitted comes along, so a shared checkout with work in
 * progress does not change what is checked.
 */
export async function exportCommit(root: string, destination: string, revision = 'HEAD'): Promise<void> {
  mkdirSync(destination, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', revision], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const extract = spawn('tar', ['-x', '-f', '-', '-C', destination], { stdio: ['pipe', 'ignore', 'pipe'] });
    let errors = '';
    archive.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    extract.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    archive.stdout.pipe(extract.stdin);
    let pending = 2;
    const done = (code: number | null) => {
      if (code !== 0) reject(new Error(`git archive ${revision} | tar -x failed: ${errors}`));
      else if (--pending === 0) resolve();
    };
    archive.once('error', reject).once('close', done);
    extract.once('error', reject).once('close', done);
  });
}
