// Runs setup steps: on a terminal with listr2's progress display, otherwise (Jenkins, pipes,
// --dry-run) as plain lines, one per change, that read the same in a log.
import { Listr } from 'listr2';
import { type Step, SetupError } from './plan.js';

export interface RunStepsOptions {
  readonly dryRun: boolean;
  /** Use listr2's live display (a terminal on stdout and not a dry run). */
  readonly tty: boolean;
  readonly write: (line: string) => void;
}

export interface RunStepsResult {
  readonly changes: number;
  readonly warnings: readonly string[];
}

function indent(text: string): string {
  return text.split('\n').join('\n    ');
}

export async function runSteps(steps: readonly Step[], options: RunStepsOptions): Promise<RunStepsResult> {
  if (options.tty && !options.dryRun) return runWithListr(steps);
  let count = 0;
  const warnings: string[] = [];
  for (const step of steps) {
    let plan;
    try {
      plan = step.plan();
    } catch (e) {
      options.write(`✖ ${step.title}: ${(e as Error).message}`);
      throw e;
    }
    if (plan.changes.length === 0) {
      options.write(`✔ ${step.title}: ${plan.notes?.join('; ') || 'nothing to change'}`);
      warnings.push(...(plan.warnings ?? []));
      continue;
    }
    options.write(
      `${options.dryRun ? '·' : '✔'} ${step.title}${plan.notes?.length ? ` (${plan.notes.join('; ')})` : ''}`,
    );
    for (const c of plan.changes) {
      if (options.dryRun) {
        options.write(`    would ${indent(c.describe)}`);
        continue;
      }
      try {
        c.apply();
      } catch (e) {
        options.write(`  ✖ ${indent(c.describe)}\n    ${indent((e as Error).message)}`);
        throw e instanceof SetupError ? e : new SetupError(`${step.title}: ${(e as Error).message}`);
      }
      options.write(`    done: ${indent(c.describe)}`);
    }
    count += plan.changes.length;
    warnings.push(...(plan.warnings ?? []));
  }
  return { changes: count, warnings };
}

async function runWithListr(steps: readonly Step[]): Promise<RunStepsResult> {
  let count = 0;
  const warnings: string[] = [];
  const tasks = new Listr(
    steps.map((step) => ({
      title: step.title,
      task: (_ctx: unknown, task: { title: string; output: string }) => {
        const plan = step.plan();
        const done: string[] = [];
        for (const c of plan.changes) {
          task.output = c.describe;
          c.apply();
          done.push(c.describe);
          count += 1;
        }
        warnings.push(...(plan.warnings ?? []));
        task.title =
          done.length === 0
            ? `${step.title}: ${plan.notes?.join('; ') || 'nothing to change'}`
            : `${step.title}: ${done.length} change${done.length === 1 ? '' : 's'}`;
        task.output = done.join('\n');
      },
      rendererOptions: { persistentOutput: true },
    })),
    { concurrent: false, exitOnError: true, rendererOptions: { collapseErrors: false } },
  );
  try {
    await tasks.run();
  } catch (e) {
    throw e instanceof SetupError ? e : new SetupError((e as Error).message);
  }
  return { changes: count, warnings };
}
