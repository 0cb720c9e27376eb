// An array that grows forever, element by element.
module.exports = function (user, context, cb) {
  const rows = [];
  for (let i = 0; ; i++) {
    rows.push('row ' + i + ' of a table that never ends');
  }
};
