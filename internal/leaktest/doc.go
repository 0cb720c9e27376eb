// Package leaktest holds the goleak options every test package of
// hookengine uses.
package leaktest
