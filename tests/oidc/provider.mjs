// A real, certified OpenID provider (panva's oidc-provider) on loopback for the single sign-on
// tests (tests/sso.rs). Test use only: the keys are generated at start, accounts are fixed.
//
//   node provider.mjs --port 4100 --redirect-uri http://127.0.0.1:8080/demo/medewerker/sso/terug
//
// The developer login form (devInteractions) takes any login name from PEOPLE with any
// password. PKCE is required for every client. Claims (e-mail, groups) are put in the ID token.
// Prints `listening on http://127.0.0.1:PORT` once it accepts connections.
import Provider from 'oidc-provider';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', process.env.PORT ?? '0'));
const redirectUri = arg('redirect-uri', process.env.REDIRECT_URI);
if (!port || !redirectUri) {
  console.error('usage: node provider.mjs --port N --redirect-uri URI');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Login name -> what the provider says about that person.
const PEOPLE = {
  anna: { email: 'anna@voorbeeld.nl', groups: ['medewerkers', 'vl-loket'] },
  bram: { email: 'Bram@Voorbeeld.nl', groups: ['medewerkers', 'vl-beheer', 'vl-loket'] },
  // Anna, whom the provider has made an admin since.
  'anna-beheer': { email: 'anna@voorbeeld.nl', groups: ['vl-beheer'] },
  // Anna without any Videoloket group.
  'anna-zonder-rol': { email: 'anna@voorbeeld.nl', groups: ['medewerkers'] },
  onbekend: { email: 'onbekend@voorbeeld.nl', groups: ['vl-loket'] },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'videoloket',
      client_secret: 'videoloket-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    // Another application at the same provider.
    {
      client_id: 'ander',
      client_secret: 'ander-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  cookies: { keys: ['test only, not a secret'] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub', 'groups'],
    email: ['email', 'email_verified'],
    profile: ['name'],
  },
  // Claims in the ID token itself, as Entra ID and Keycloak send groups and roles.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const person = PEOPLE[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: person.email, email_verified: true, name: id, groups: person.groups };
      },
    };
  },
  // The staff application is the municipality's own: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});
