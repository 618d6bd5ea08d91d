// A real OpenID Connect provider (panva/oidc-provider, pinned in package.json) for the console's
// sign-in tests, on 127.0.0.1:$PORT. Two clients ("mailbot" and "altro") share $REDIRECT_URI;
// any login works on the provider's development pages, and the login names the account:
//   staff       operatore@regione.veneto.it, email verified
//   unverified  operatore@regione.veneto.it, email_verified false
//   outsider    estraneo@example.com, email verified
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const redirect = process.env.REDIRECT_URI;
const accounts = {
  staff: { email: 'operatore@regione.veneto.it', email_verified: true },
  unverified: { email: 'operatore@regione.veneto.it', email_verified: false },
  outsider: { email: 'estraneo@example.com', email_verified: true },
};
const client = (id, secret) => ({
  client_id: id, client_secret: secret, redirect_uris: [redirect],
  grant_types: ['authorization_code'], response_types: ['code'],
});

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [client('mailbot', 'segreto-di-prova'), client('altro', 'altro-segreto')],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  // The claims of the scopes go in the ID token itself, as Entra ID and Keycloak do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['chiave-di-prova'] },
  findAccount: (ctx, id) => (accounts[id] ? { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) } : undefined),
});
provider.listen(port, '127.0.0.1', () => console.log('ready'));
