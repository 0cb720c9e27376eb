// Package nodecore is what Node.js gives a hook besides the language: the
// core modules scripts and npm packages require (http, https, crypto,
// events, path, querystring, and the others listed in the README's module
// table), written for hookengine or bundled from npm, with no access to the
// host. Network modules send every request through the script's own fetch
// (see sandbox.FetchConfig), so the engine's throttling, address guard,
// deadline and request caps apply to them; none opens a connection.
//
// Register adds them to a sandbox.Registry; package modules adds the npm
// packages on top, and package engine registers both by default. Each
// module's JavaScript is compiled once per process, on first use, and each
// runtime that requires a module builds its exports once. The sandbox keeps
// buffer, url and util, which back globals (Buffer, URL, TextEncoder,
// console's formatting).
package nodecore
