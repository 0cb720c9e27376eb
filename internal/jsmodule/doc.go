// Package jsmodule runs the modules hookengine writes in JavaScript (those
// of packages nodecore and modules): each source is compiled once per
// process, on first use, into a function of (exports, require, module,
// native, host), and each runtime that requires the module calls it once.
package jsmodule
