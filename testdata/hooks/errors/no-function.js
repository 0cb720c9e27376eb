module.exports = { handler: function () {} };
