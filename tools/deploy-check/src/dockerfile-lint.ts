import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface DockerfileFinding {
  readonly line: number;
  readonly category: string;
  readonly title: string;
  readonly description: string;
}

interface LintReport {
  files: { issues: { line: string; category: string; title: string; description: string }[] }[];
}

/**
 * Lints a Dockerfile with dockerfilelint (its rules and the repository's .dockerfilelintrc, if
 * any, next to the file). Resolves to its findings; none means clean.
 */
export function lintDockerfile(path: string): DockerfileFinding[] {
  const cli = createRequire(import.meta.url).resolve('dockerfilelint/bin/dockerfilelint');
  let output: string;
  try {
    output = execFileSync(process.execPath, [cli, '--output', 'json', path], { encoding: 'utf8' });
  } catch (error) {
    // It exits 1 when it finds something; the report is still on stdout.
    const stdout = (error as { stdout?: string }).stdout;
    if (typeof stdout !== 'string' || stdout === '') throw error;
    output = stdout;
  }
  const report = JSON.parse(output) as LintReport;
  return report.files.flatMap((file) =>
    file.issues.map((issue) => ({
      line: Number.parseInt(issue.line, 10),
      category: issue.category,
      title: issue.title,
      description: issue.description,
    })),
  );
}
