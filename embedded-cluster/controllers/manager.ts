/**
 * Starts and stops the simulated controllers together, feeding each one every committed change.
 */
import type { Controller, ControllerContext } from './context.ts';
import { CronJobController } from './cronjobs.ts';
import { DeploymentController } from './deployment.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { JobController } from './jobs.ts';
import { PodLifecycleController } from './pods.ts';
import { ReplicaSetController } from './replicaset.ts';

/** The running set of controllers; create one per start, stop it on stop. */
export class ControllerManager {
  private readonly controllers: Controller[];
  private readonly unsubscribe: () => void;

  constructor(context: ControllerContext) {
    this.controllers = [
      new PodLifecycleController(context),
      new ReplicaSetController(context),
      new DeploymentController(context),
      new JobController(context),
      new CronJobController(context),
      new GarbageCollector(context),
    ];
    this.unsubscribe = context.store.subscribe((event) => {
      for (const controller of this.controllers) controller.handle(event);
    });
    for (const controller of this.controllers) controller.resync();
  }

  /** Stops every controller and their timers. */
  stop(): void {
    this.unsubscribe();
    for (const controller of this.controllers) controller.stop();
  }
}
