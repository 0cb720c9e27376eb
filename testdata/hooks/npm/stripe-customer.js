// pre-user-registration: creates the Stripe customer of a new user with the
// stripe package and keeps its id in app_metadata. STRIPE_HOST,
// STRIPE_PORT and STRIPE_PROTOCOL are stripe's own options for another
// endpoint (stripe-mock, a test server).
const Stripe = require('stripe');

module.exports = async function (user, context, cb) {
  const s = context.webtask.secrets;
  const stripe = Stripe(s.STRIPE_SECRET_KEY, {
    apiVersion: '2023-10-16',
    host: s.STRIPE_HOST,
    port: s.STRIPE_PORT,
    protocol: s.STRIPE_PROTOCOL,
  });
  try {
    const customer = await stripe.customers.create({ email: user.email, metadata: { connection: context.connection.name } });
    cb(null, { user: { app_metadata: { stripe_customer_id: customer.id } } });
  } catch (err) {
    cb(err);
  }
};
