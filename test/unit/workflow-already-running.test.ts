import { Hono } from 'hono';
import { createErrorHandler } from '../../api/error-handler';
import { type SingleRunWorkflow, WorkflowAlreadyRunning } from '../../domain/workflow-already-running';
import { createLogger } from '../../observability/logger';

/** The API's one error edge answers a refused start with the 409 body each endpoint has always answered. */
describe('WorkflowAlreadyRunning at the error edge', () => {
  const app = new Hono()
    .get('/:workflow', (c) => {
      const workflow = c.req.param('workflow') as SingleRunWorkflow;
      throw new WorkflowAlreadyRunning(workflow, `${workflow}:id`, `the ${workflow} message`);
    })
    .onError(createErrorHandler(createLogger({ name: 'error-edge-test', level: 'silent' })));

  async function answer(workflow: SingleRunWorkflow) {
    const res = await app.request(`/${workflow}`);
    return { status: res.status, body: await res.json() };
  }

  it('a sync names the running workflow', async () => {
    expect(await answer('connection_sync')).toEqual({
      status: 409,
      body: { error: { code: 'sync_already_running', message: 'the connection_sync message', details: { workflow_id: 'connection_sync:id' } } },
    });
  });

  it('a key rotation and a rollout answer their code alone', async () => {
    expect(await answer('key_rotation')).toEqual({
      status: 409,
      body: { error: { code: 'rotation_running', message: 'the key_rotation message', details: null } },
    });
    expect(await answer('rollout')).toEqual({
      status: 409,
      body: { error: { code: 'rollout_already_started', message: 'the rollout message', details: null } },
    });
  });
});
