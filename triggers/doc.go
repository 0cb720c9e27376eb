// Package triggers describes Auth0's five Hooks extensibility points:
// credentials-exchange, pre-user-registration, post-user-registration,
// post-change-password and send-phone-message.
//
// For each point a Trigger knows what Auth0's compiler for it did: the
// script's parameters, the error classes defined in its scope, the checks
// made on the request body before the script runs (with Auth0's exact
// messages, see Trigger.Args) and how the context argument is built. It also
// knows what the result means to the caller: Trigger.Outcome turns an
// Envelope into a typed Outcome, such as the claims a credentials-exchange
// hook adds to a token or the metadata a pre-user-registration hook stores.
//
// Scripts come in three forms (see Form): Auth0's Hooks form, Auth0
// Actions and bare functions. For Actions, a Trigger also knows the handler
// the script exports (ActionHandler), how the event and api objects of the
// point are built from its Hooks input and how their effects become the
// Hooks result (ActionFunction), the claim rules of Actions (OutcomeOf) and
// the limits of api.cache (ActionCache).
//
// The package is used by package engine, which runs the scripts; embedders
// use its types (the inputs, Envelope, the outcomes) with the engine.
// Everything in it is safe for concurrent use, and all but ActionCache is
// immutable.
package triggers
