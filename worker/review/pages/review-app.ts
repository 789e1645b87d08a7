// The review UI as one Hono sub-app, mounted at /review by worker/app.ts.
//
// Its own error handler renders failures as HTML pages (a reviewer's browser,
// not an API client, is on the other end), with the same codes and statuses
// as the API's problem documents; 5xx causes are logged with the request id.
import { Hono } from 'hono';
import type { AppEnv } from '../../app.ts';
import { causeReason, GatewayError } from '../../http/errors.ts';
import { registerLoginRoutes } from '../login/login-routes.ts';
import { resolveReviewDeps, type ReviewOptions } from './review-deps.ts';
import { registerReviewRoutes, reviewErrorResponse } from './review-routes.ts';

export type { ReviewOptions } from './review-deps.ts';

export function createReviewApp(options: ReviewOptions): Hono<AppEnv> {
  const deps = resolveReviewDeps(options);
  const app = new Hono<AppEnv>();
  app.onError(async (error, c) => {
    const requestId = c.get('requestId');
    const status = error instanceof GatewayError ? error.status : 500;
    const log = status >= 500 ? console.error : console.warn;
    log(`[${requestId}] review: ${causeReason(error)}`);
    const response = await reviewErrorResponse(error, requestId);
    // Cookies a handler set or cleared before it failed (the single-use login
    // cookie is cleared before the callback is checked) still reach the browser.
    for (const cookie of c.res.headers.getSetCookie())
      response.headers.append('set-cookie', cookie);
    return response;
  });
  // Fixed paths first: Hono runs the first matching route, and `/:id` would match them too.
  registerLoginRoutes(app, deps);
  registerReviewRoutes(app, deps);
  return app;
}
