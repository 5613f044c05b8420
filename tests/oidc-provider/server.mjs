// A real OpenID provider for flipside's integration tests: panva/oidc-provider (OpenID
// Certified) with its development login and consent pages, one confidential client, fresh
// signing keys each run, and in-memory storage.
//
//   node server.mjs   (configured by the environment)
//     OIDC_PORT            port to listen on (0, the default, picks a free one)
//     OIDC_CLIENT_ID       the client flipside is configured with
//     OIDC_CLIENT_SECRET   its secret (client_secret_basic)
//     OIDC_REDIRECT_URI    flipside's /sign-in/sso/callback
//     OIDC_CLAIMS_IN_ID_TOKEN  "1" puts email and name in the ID token itself; otherwise (the
//                          provider's conforming default for the code flow) they are only
//                          at the userinfo endpoint
//
// When it is ready it prints one line, `ready <issuer URL>`, and serves until stdin closes or
// it is killed, so a test that dies cannot leave it running.
//
// Accounts: whatever login is typed on the development login page is the account id (the
// password is ignored). The account's email is the login; it is verified unless the login
// starts with "unverified.". The subject is the login too; the name is the part before "@".
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`server.mjs: the environment variable ${name} is required`);
    process.exit(2);
  }
  return value;
}

const port = Number(process.env.OIDC_PORT ?? '0');
const clientId = required('OIDC_CLIENT_ID');
const clientSecret = required('OIDC_CLIENT_SECRET');
const redirectUri = required('OIDC_REDIRECT_URI');
const claimsInIdToken = process.env.OIDC_CLAIMS_IN_ID_TOKEN === '1';

// Bind first so that the issuer URL can carry the real port.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [Math.random().toString(36).slice(2)] },
  // Every client must use PKCE, so a flow without it fails here as it would in production.
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  conformIdTokenClaims: !claimsInIdToken,
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: id,
          email_verified: !id.startsWith('unverified.'),
          name: id.split('@')[0],
        };
      },
    };
  },
});
// Quiet: the test reads stdout for the ready line; errors go to stderr.
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

server.on('request', provider.callback());
console.log(`ready ${issuer}`);

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
