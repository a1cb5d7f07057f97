import cliProgress from 'cli-progress';
import type { CommandContext } from './context.ts';

// Progress of long work (imports, large batches) on a terminal only: cli-progress draws on
// standard error when it is a TTY, and nothing is drawn into logs or piped output.

export interface Progress {
  /** Sets how far the work has got (`value` of `total`) and what it is doing now. */
  update(value: number, total: number, phase?: string): void;
  /** Says what the work does now, without moving the bar. */
  phase(phase: string): void;
  /** Leaves the final bar on the screen and gives the terminal back. */
  stop(): void;
}

const NONE: Progress = { update() {}, phase() {}, stop() {} };

/** A progress bar on the context's standard error when it is a terminal; otherwise one that draws nothing. */
export function startProgress(context: CommandContext, label: string, unit: string): Progress {
  const stream = context.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  if (!stream.isTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: `${label} |{bar}| {percentage}% {value}/{total} ${unit} {phase}`,
      hideCursor: true,
      clearOnComplete: false,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  return {
    update(value, total, nextPhase) {
      phase = nextPhase ?? phase;
      if (!started) {
        bar.start(total, value, { phase });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, { phase });
      }
    },
    phase(nextPhase) {
      phase = nextPhase;
      if (started) bar.update({ phase });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
