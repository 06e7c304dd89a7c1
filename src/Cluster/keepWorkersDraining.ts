import cluster from "node:cluster"

const ignore = () => {}

/**
 * In a cluster worker a stop signal arrives twice: Ctrl-C reaches the whole process group and the primary
 * forwards SIGTERM too (systemd's SIGTERM to the control group likewise). `runMain` removes its listeners after
 * the first signal, so the second would kill the worker mid-drain; these no-op listeners keep the default
 * action away, and the worker exits once its in-flight requests are done.
 */
export const keepWorkersDraining = (): void => {
  if (!cluster.isWorker) return
  process.on("SIGINT", ignore)
  process.on("SIGTERM", ignore)
}
