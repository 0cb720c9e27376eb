// [].concat of an object made spreadable, claiming 2**40 elements.
module.exports = function (user, context, cb) {
  const o = { length: 2 ** 40, [Symbol.isConcatSpreadable]: true };
  cb(null, { user: { n: [].concat(o).length } });
};
