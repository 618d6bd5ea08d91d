// Package oidctest runs a real OpenID Connect provider for tests: panva/oidc-provider under
// Node (provider.mjs, the version pinned in package.json and package-lock.json; CI runs
// `npm ci` here), and drives its development login pages as a person would.
package oidctest

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Clients registered in the provider, with their secrets.
const (
	ClientID     = "mailbot"
	ClientSecret = "segreto-di-prova"
	OtherID      = "altro"
	OtherSecret  = "altro-segreto"
)

// dir is this package's directory, where provider.mjs and node_modules are.
func dir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("oidctest: no source path")
	}
	return filepath.Dir(file)
}

// Start runs the provider on a free loopback port for the test, clients sending browsers back to
// redirect, and returns its issuer URL. Without node or the installed package the test is
// skipped, and fails in CI.
func Start(t testing.TB, redirect string) string {
	t.Helper()
	d := dir(t)
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(d, "node_modules", "oidc-provider", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("oidc provider not installed: CI must run `npm ci --prefix internal/oidctest` (%v)", err)
		}
		t.Skipf("oidc provider not installed (npm ci --prefix internal/oidctest): %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(node, "provider.mjs")
	cmd.Dir = d
	cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port), "REDIRECT_URI="+redirect)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard // the provider's warnings about its development defaults
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		io.Copy(io.Discard, out)
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("oidc provider did not start within 60 s")
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}

var formRE = regexp.MustCompile(`<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)</form>`)
var promptRE = regexp.MustCompile(`name="prompt" value="([a-z]+)"`)

// SignIn follows the provider's pages from resp as a person would: logs in as account (any
// password) and consents; it returns the first answer that is not one of the provider's pages
// (the relying party's, once the browser is sent back), or the redirect there if c does not
// follow it. c must keep cookies.
func SignIn(t testing.TB, c *http.Client, issuer string, resp *http.Response, account string) *http.Response {
	t.Helper()
	for range 6 {
		if !strings.HasPrefix(resp.Request.URL.String(), issuer) || resp.StatusCode/100 == 3 {
			return resp // left the provider, or a redirect the client chose not to follow
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := formRE.FindSubmatch(b)
		if m == nil {
			t.Fatalf("provider page without a form (%s): %.400s", resp.Request.URL, b)
		}
		form := url.Values{}
		switch p := promptRE.FindSubmatch(m[2]); {
		case p != nil && string(p[1]) == "login":
			form = url.Values{"prompt": {"login"}, "login": {account}, "password": {"qualsiasi"}}
		case p != nil && string(p[1]) == "consent":
			form = url.Values{"prompt": {"consent"}}
		default:
			t.Fatalf("provider form not understood: %s", m[2])
		}
		action, err := resp.Request.URL.Parse(html.UnescapeString(string(m[1])))
		if err != nil {
			t.Fatal(err)
		}
		if resp, err = c.PostForm(action.String(), form); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("still on the provider's pages after six forms")
	return nil
}
