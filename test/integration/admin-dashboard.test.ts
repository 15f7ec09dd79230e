import request from 'supertest';
import type { Container } from '../../src/container';
import { createWebApp } from '../../src/web';
import { createTestContainer, deleteRedisPrefix } from '../helpers/test-env';

describe('queue dashboard at /admin/queues', () => {
  const token = 'admin-token-0123456789';
  let withToken: Container;
  let withoutToken: Container;

  beforeAll(async () => {
    withToken = await createTestContainer('admin', { ADMIN_TOKEN: token });
    withoutToken = await createTestContainer('noadmin');
  });

  afterAll(async () => {
    for (const c of [withToken, withoutToken]) {
      await c.close();
      await deleteRedisPrefix(c.queues.prefix);
    }
  });

  it('does not exist when ADMIN_TOKEN is unset', async () => {
    const res = await request(createWebApp(withoutToken).callback()).get('/admin/queues');
    expect(res.status).toBe(404);
    expect(res.body.message).toMatch(/ADMIN_TOKEN/);
  });

  it('asks for the token, and refuses a wrong one', async () => {
    const app = createWebApp(withToken).callback();
    const anonymous = await request(app).get('/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await request(app).get('/admin/queues').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
  });

  it('serves the dashboard and its API with a bearer token or browser basic auth', async () => {
    await withToken.queues.get('inbound').add({ eventId: 42 }, { jobId: 'event-42' });
    const app = createWebApp(withToken).callback();
    const page = await request(app).get('/admin/queues').set('Authorization', `Bearer ${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html');
    const api = await request(app).get('/admin/queues/api/queues').auth('admin', token);
    expect(api.status).toBe(200);
    const inbound = api.body.queues.find((q: { name: string }) => q.name === 'inbound');
    expect(inbound.counts.waiting).toBe(1);
  });
});
