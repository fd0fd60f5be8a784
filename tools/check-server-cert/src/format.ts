import type { CheckReport } from './check.js';
import { nameOf } from './certificates.js';

/** The report as lines of text for a terminal: what was checked, the chain, then the verdict. */
export function formatReport(report: CheckReport, caName: string): string {
  const lines: string[] = [];
  const via = report.address === undefined ? '' : ` via ${report.address}`;
  lines.push(`Checking ${report.hostname}:${report.port}${via} against ${caName}`);
  for (const certificate of report.ca) lines.push(`  CA: ${nameOf(certificate.subject)}`);

  const [leaf] = report.chain;
  if (leaf !== undefined) {
    const connection = report.connection;
    lines.push('', `Connected to ${connection?.remoteAddress ?? '?'} with ${connection?.protocol ?? '?'} (${connection?.cipher ?? '?'})`);
    lines.push('', 'Server certificate');
    lines.push(`  subject   ${nameOf(leaf.subject)}`);
    lines.push(`  names     ${leaf.subjectAltNames.length > 0 ? leaf.subjectAltNames.join(', ') : '(no subjectAltName)'}`);
    lines.push(`  issuer    ${nameOf(leaf.issuer)}`);
    lines.push(`  serial    ${leaf.serialNumber}`);
    lines.push(`  sha-256   ${leaf.fingerprint256}`);
    const left = report.daysLeft === undefined ? '' : report.daysLeft >= 0 ? ` (${report.daysLeft} days left)` : ' (expired)';
    lines.push(`  valid     ${leaf.notBefore.slice(0, 10)} to ${leaf.notAfter.slice(0, 10)}${left}`);
    lines.push('', 'Chain');
    report.chain.forEach((certificate, index) => {
      const source = certificate.inCaFile ? 'in the CA file' : 'sent by the server';
      lines.push(`  ${index + 1}. ${nameOf(certificate.subject)} (${source}, until ${certificate.notAfter.slice(0, 10)})`);
    });
  }

  lines.push('');
  for (const finding of report.findings) {
    lines.push(`${finding.severity === 'problem' ? 'PROBLEM' : 'WARNING'}: ${finding.message}`);
  }
  const problems = report.findings.filter((finding) => finding.severity === 'problem').length;
  const warnings = report.findings.length - problems;
  if (report.ok) {
    lines.push(
      `OK: vehicles given this CA will accept the certificate of ${report.hostname}${warnings > 0 ? ` (${count(warnings, 'warning')})` : ''}.`,
    );
  } else {
    lines.push(`FAILED: ${count(problems, 'problem')}${warnings > 0 ? `, ${count(warnings, 'warning')}` : ''}.`);
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
