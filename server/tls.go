package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Files of the development certificate in the data directory.
const (
	// DevCertFile is the self-signed certificate made in development mode
	// (TLSConfig.SelfSigned): give it to clients as a trusted CA, for
	// instance NODE_EXTRA_CA_CERTS=DATA/dev-tls-cert.pem for Node.
	DevCertFile = "dev-tls-cert.pem"
	// DevCertKeyFile is the private key of DevCertFile.
	DevCertKeyFile = "dev-tls-key.pem"
)

// ErrSelfSignedOutsideDev reports TLSConfig.SelfSigned without development
// mode: a production server needs a real certificate.
var ErrSelfSignedOutsideDev = errors.New("server: a self-signed certificate is for development mode only (--dev); give --tls-cert and --tls-key")

// TLSConfig makes the server speak HTTPS (TLS 1.2 or later, HTTP/2 and
// HTTP/1.1). Either CertFile and KeyFile, or SelfSigned in development mode.
type TLSConfig struct {
	// CertFile is the PEM certificate chain, leaf first.
	CertFile string `yaml:"cert_file" json:"cert_file"`
	// KeyFile is the PEM private key of the certificate.
	KeyFile string `yaml:"key_file" json:"key_file"`
	// SelfSigned, in development mode and without CertFile, makes (or
	// reuses) a self-signed certificate for the listen address in the data
	// directory: DevCertFile and DevCertKeyFile.
	SelfSigned bool `yaml:"self_signed" json:"self_signed"`
}

// enabled reports whether t asks for HTTPS.
func (t *TLSConfig) enabled() bool {
	return t != nil && (t.CertFile != "" || t.KeyFile != "" || t.SelfSigned)
}

// tlsSetup resolves the certificate files of the configuration, making the
// development certificate when asked, and returns the server's tls.Config.
// devCert is the path of a development certificate, "" otherwise.
func tlsSetup(cfg Config, log *zap.Logger) (tc *tls.Config, devCert string, err error) {
	t := cfg.TLS
	certFile, keyFile := t.CertFile, t.KeyFile
	switch {
	case certFile != "" || keyFile != "":
		if certFile == "" || keyFile == "" {
			return nil, "", errors.New("server: tls needs both cert_file (--tls-cert) and key_file (--tls-key)")
		}
	case !cfg.Dev:
		return nil, "", ErrSelfSignedOutsideDev
	default:
		certFile, keyFile, err = EnsureDevCertificate(cfg.DataDir, cfg.Addr, time.Now())
		if err != nil {
			return nil, "", err
		}
		devCert = certFile
	}
	r, err := newCertReloader(certFile, keyFile, log)
	if err != nil {
		return nil, "", err
	}
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		NextProtos:     []string{"h2", "http/1.1"},
		GetCertificate: r.GetCertificate,
	}, devCert, nil
}

// fileStamp identifies a version of a file.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.ModTime(), fi.Size()}
}

// certReloader serves a certificate from files and loads them again when
// they change (checked at each handshake, by modification time and size),
// so a renewed certificate is used without a restart. A pair that does not
// load (say, the certificate written and not yet its key) is logged and the
// previous certificate kept until the files change again. Safe for
// concurrent use.
type certReloader struct {
	certFile, keyFile string
	log               *zap.Logger

	mu         sync.Mutex
	cert       *tls.Certificate
	certStamp  fileStamp
	keyStamp   fileStamp
	lastFailed bool
}

func newCertReloader(certFile, keyFile string, log *zap.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log,
		certStamp: stampOf(certFile), keyStamp: stampOf(keyFile)}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("server: tls certificate %s and key %s: %w", certFile, keyFile, err)
	}
	r.cert = &cert
	return r, nil
}

// GetCertificate implements tls.Config.GetCertificate.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cs, ks := stampOf(r.certFile), stampOf(r.keyFile)
	if cs != r.certStamp || ks != r.keyStamp {
		r.certStamp, r.keyStamp = cs, ks
		cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
		if err != nil {
			r.log.Error("the changed tls certificate does not load: the previous one is still served",
				zap.String("cert_file", r.certFile), zap.String("key_file", r.keyFile), zap.Error(err))
		} else {
			r.cert = &cert
			r.log.Info("tls certificate reloaded", zap.String("cert_file", r.certFile))
		}
	}
	return r.cert, nil
}

// devCertLifetime is how long a development certificate is valid.
const devCertLifetime = 365 * 24 * time.Hour

// EnsureDevCertificate returns the development certificate of the data
// directory (DevCertFile, DevCertKeyFile), making a new one when there is
// none, when it does not cover the host of addr, or when it expires within
// a day of now. The certificate is self-signed and marked as a CA, so that
// a client can trust it directly (NODE_EXTRA_CA_CERTS for Node, SSL_CERT_FILE
// for Go); it names the host of addr, localhost, 127.0.0.1 and ::1. The key
// is an ECDSA P-256 key, readable by the owner only.
func EnsureDevCertificate(dataDir, addr string, now time.Time) (certFile, keyFile string, err error) {
	certFile, keyFile = filepath.Join(dataDir, DevCertFile), filepath.Join(dataDir, DevCertKeyFile)
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("server: listen address %q: %w", addr, err)
	}
	names := []string{"localhost"}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsUnspecified() && !ip.IsLoopback() {
			ips = append(ips, ip)
		}
	} else if host != "" && host != "localhost" {
		names = append(names, host)
	}
	if usableDevCert(certFile, keyFile, host, now) {
		return certFile, keyFile, nil
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", "", fmt.Errorf("server: data directory: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "hookengine development (" + addr + ")", Organization: []string{"hookengine development"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(devCertLifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              names,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", fmt.Errorf("server: making the development certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	if err := writeReplace(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return "", "", fmt.Errorf("server: writing the development certificate's key: %w", err)
	}
	if err := writeReplace(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return "", "", fmt.Errorf("server: writing the development certificate: %w", err)
	}
	return certFile, keyFile, nil
}

// usableDevCert reports whether the development certificate on disk loads,
// covers host and stays valid for a day more.
func usableDevCert(certFile, keyFile, host string, now time.Time) bool {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil || len(pair.Certificate) == 0 {
		return false
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil || now.Before(leaf.NotBefore) || now.Add(24*time.Hour).After(leaf.NotAfter) {
		return false
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return leaf.VerifyHostname(host) == nil
}

// writeReplace writes a file through a temporary file and a rename, so a
// reader never sees half of it.
func writeReplace(path string, b []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
