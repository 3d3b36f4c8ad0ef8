/**
 * A task that runs at most once at a time: asked again while it runs, it runs once more right
 * after (however many times it was asked), so the last request always sees a run that started
 * after it. Used where a change re-renders a whole file (rule files, scrape targets).
 */
export class CoalescedTask {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly task: () => Promise<void>,
    /** Told of a failed run; the next request runs the task again. */
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs the task (or schedules one more run). @returns when a run that began after this call has ended. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.task().catch(this.onError);
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves when no run is in progress. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
