import { describe, expect, it } from 'vitest';
import { type DoctorReport, formatReport } from './doctor.js';

const report = (checks: DoctorReport['checks'], exitCode: number): DoctorReport => ({
  ok: exitCode === 0,
  exitCode,
  user: 'dev',
  asRoot: false,
  checks,
});

describe('doctor report', () => {
  it('prints ✔/✖/–/! per check, the fix under each problem, and a last line', () => {
    const text = formatReport(
      report(
        [
          { id: 'broker', title: 'broker installed', status: 'ok', detail: '/usr/local/lib/cida-docker/broker' },
          {
            id: 'caller',
            title: 'you may use the broker',
            status: 'fail',
            detail: 'refused',
            fix: 'sudo cida-docker setup --user dev',
            blocking: true,
          },
          { id: 'engine', title: 'engine answers', status: 'skip', detail: 'only root asks the engine' },
          { id: 'policy', title: 'policy', status: 'warn', detail: 'missing', fix: 'sudo cida-docker setup' },
        ],
        69,
      ),
    );
    expect(text.split('\n')).toEqual([
      'cida-docker doctor (as dev)',
      '✔ broker installed: /usr/local/lib/cida-docker/broker',
      '✖ you may use the broker: refused',
      '    fix: sudo cida-docker setup --user dev',
      '– engine answers: skipped: only root asks the engine',
      '! policy: missing',
      '    fix: sudo cida-docker setup',
      '1 problem, 1 warning, 1 skipped: fix it and run `cida-docker doctor` again',
    ]);
  });

  it('says all good when nothing failed', () => {
    expect(
      formatReport(report([{ id: 'broker', title: 'b', status: 'ok', detail: 'd' }], 0))
        .split('\n')
        .pop(),
    ).toBe('all good');
  });
});
