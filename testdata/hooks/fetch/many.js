// Makes the number of sequential requests given in the secret N and reports
// the statuses it saw.
module.exports = async function (user, context, cb) {
  const n = Number(context.webtask.secrets.N);
  const statuses = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(context.webtask.secrets.API + '/item/' + i);
    statuses[res.status] = (statuses[res.status] || 0) + 1;
  }
  cb(null, { statuses });
};
