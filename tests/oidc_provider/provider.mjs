// An OpenID provider for the tests: panva's certified oidc-provider on a free loopback
// port, with one confidential client and the accounts the tests name. Its sign-in page
// takes an account name (no password) and signs in with that account's `amr`, so
// tests can sign in with or without a second factor. Consent is granted at once, as
// an organisation's provider does for its own applications.
//
// Started by tests/oidc_provider/__init__.py, which passes the client and accounts as
// JSON in OIDC_TEST_CONFIG and reads the issuer from the first line printed.

import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';

// Make the signing key on another thread while the provider's code loads: together
// they are most of the start-up time.
const keyPair = promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
const { default: Provider } = await import('oidc-provider');

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const accounts = config.accounts;
const callbackPath = new URL(config.client.redirect_uri).pathname;

const { privateKey } = await keyPair;
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client.client_id,
      client_secret: config.client.client_secret,
      redirect_uris: [config.client.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: {
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
    },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account.claims, sub: id }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  // Sharewise runs on a random port in browser tests and as "testserver" under the
  // test client: accept the callback path at any loopback origin.
  provider.Client.prototype.redirectUriAllowed = (uri) => {
    const url = new URL(uri);
    return url.pathname === callbackPath
      && ['127.0.0.1', 'localhost', 'testserver'].includes(url.hostname);
  };

  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (req.url.startsWith('/interaction/')) {
        await interaction(provider, req, res);
      } else {
        oidc(req, res);
      }
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  process.stdout.write(`${issuer}\n`);
});

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="/interaction/${details.uid}">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off">
<button type="submit">Continue</button></form></body></html>`);
    return;
  }
  const body = new URLSearchParams(await readBody(req));
  const accountId = body.get('login');
  if (!accounts[accountId]) {
    res.statusCode = 400;
    res.end(`No account ${accountId}`);
    return;
  }
  const amr = accounts[accountId].amr;
  await provider.interactionFinished(req, res, {
    login: { accountId, ...(amr ? { amr } : {}) },
  }, { mergeWithLastSubmission: false });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
