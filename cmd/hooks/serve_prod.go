package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/hookengine/hookengine/server"
)

// prodFlags are serve's flags for the production settings: HTTPS and the
// hooks' network policy. They apply over the configuration file's tls and
// network keys.
type prodFlags struct {
	tlsCert, tlsKey string
	tlsSelfSigned   bool
	allow           allowFlag
}

func (p *prodFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&p.tlsCert, "tls-cert", "", "PEM certificate chain: serve HTTPS")
	fs.StringVar(&p.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.BoolVar(&p.tlsSelfSigned, "tls-self-signed", false, "with --dev: serve HTTPS with a self-signed certificate")
	fs.Var(&p.allow, "allow-host", "host name, IP or CIDR fetch may reach, repeatable")
}

// apply sets the flags given on cfg.
func (p *prodFlags) apply(cfg *server.Config) {
	if p.tlsCert != "" || p.tlsKey != "" || p.tlsSelfSigned {
		if cfg.TLS == nil {
			cfg.TLS = &server.TLSConfig{}
		}
		if p.tlsCert != "" {
			cfg.TLS.CertFile = p.tlsCert
		}
		if p.tlsKey != "" {
			cfg.TLS.KeyFile = p.tlsKey
		}
		cfg.TLS.SelfSigned = cfg.TLS.SelfSigned || p.tlsSelfSigned
	}
	cfg.Network.AllowHosts = append(cfg.Network.AllowHosts, p.allow...)
}

// announce prints what a client needs beyond the address: the development
// certificate to trust, and the token endpoint.
func (p *prodFlags) announce(w io.Writer, srv *server.Server) {
	if c := srv.DevCertificate(); c != "" {
		fmt.Fprintf(w, "hooks: self-signed development certificate: %s\n", c)
		fmt.Fprintf(w, "hooks: for Node clients (Deploy CLI, node-auth0): export NODE_EXTRA_CA_CERTS=%s\n", c)
	}
	if t := srv.TokenIssuer(); t != nil {
		fmt.Fprintf(w, "hooks: client-credentials tokens at https://%s%s for the audience %s\n", t.Domain(), server.TokenPath, t.Audience())
	}
}
