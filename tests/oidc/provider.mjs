// A real OpenID provider for tests/it/web_oidc.rs: the certified `oidc-provider` package
// (installed by `.ci/run` into target/oidc-provider; its path in OIDC_PROVIDER_MODULES).
//
// Listens on 127.0.0.1 on a free port and prints `issuer <url>` on stdout once it serves.
// A confidential client, `arshjul` / `hemligt` (client_secret_post), and a public one,
// `arshjul-public` (PKCE only); their redirect URI from OIDC_REDIRECT_URI. Its development interactions take any login and password: the login
// is the account's email; a login starting with `unverified` gets email_verified=false.
// Signs ID tokens with tests/oidc/test_key.pk8 (RS256), the verifier's unit-test key.
import { createServer } from 'node:http';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const modules = process.env.OIDC_PROVIDER_MODULES;
const redirect = process.env.OIDC_REDIRECT_URI;
if (!modules || !redirect) {
  console.error('provider.mjs: set OIDC_PROVIDER_MODULES (a node_modules dir with oidc-provider) and OIDC_REDIRECT_URI');
  process.exit(2);
}
const require = createRequire(join(modules, 'noop.js'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const here = dirname(fileURLToPath(import.meta.url));
const pk8 = readFileSync(join(here, 'test_key.pk8'));
const jwk = { ...createPrivateKey({ key: pk8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }), kid: 'test-rsa', use: 'sig', alg: 'RS256' };

const server = createServer();
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'arshjul',
    client_secret: 'hemligt',
    redirect_uris: [redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }, {
    // A public client: no secret, PKCE only.
    client_id: 'arshjul-public',
    redirect_uris: [redirect],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // The ID token carries the claims (arshjul reads no userinfo).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: !id.startsWith('unverified'), name: id.split('@')[0] };
      },
    };
  },
});
provider.on('server_error', (ctx, err) => console.error('provider server_error', err));
server.on('request', provider.callback());
console.log(`issuer ${issuer}`);
// The test reads that one line and closes the pipe: everything else goes to stderr.
process.stdout.on('error', () => {});
console.log = console.info = (...args) => console.error(...args);
