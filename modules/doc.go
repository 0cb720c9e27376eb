// Package modules provides, written for hookengine, the npm packages that
// real Auth0 hook scripts require, so those scripts run unchanged: axios,
// request, node-fetch and auth0 (node-auth0 2.x's ManagementClient and
// AuthenticationClient), each a faithful subset of the real package's
// documented API. Every request they make goes through the script's own
// fetch (see sandbox.FetchConfig), so the engine's per-origin throttling and
// 429 handling, its address guard, the run's deadline and its per-run
// request caps apply to them as to fetch itself. They never open
// connections of their own.
//
// Register adds them to a sandbox.Registry; NewRegistry returns them with
// the Node.js core modules of package nodecore (http, https, crypto,
// events, stream, fs...) and the sandbox's own buffer, url and util, which
// is what package engine registers by default. The JavaScript of each
// module is compiled once per process, on first use, and each runtime that
// requires a module builds its exports once. A package of the operator's
// node_modules that requires axios, say, gets this package's axios.
//
// What differs from the real packages: request bodies and responses are
// buffered (http responses are then emitted as 'data' chunks), redirects are
// always followed (at most 5, as fetch does), agents, proxies, cookie jars
// and TLS options are accepted and ignored, and servers, streams as response
// types, ciphers, signatures and key derivation are not available. axios
// follows axios 0.27 where its versions differ: a string body sent with
// post, put or patch and no Content-Type goes as
// application/x-www-form-urlencoded, and object params are sent as JSON.
package modules
