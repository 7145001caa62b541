/** Every workflow id is built here, so ids stay meaningful and collisions are deliberate. */

/** One sync per connection at a time: a second start while one runs is rejected by Temporal. */
export function connectionSyncWorkflowId(connectionId: string): string {
  return `connection-sync:${connectionId}`;
}
