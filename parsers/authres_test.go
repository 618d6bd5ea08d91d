package parsers

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// authresSamples are Authentication-Results headers as the servers we meet write them. They are
// written from the documented and commonly seen output of each implementation (not captured
// from a live server); folding is kept where the server folds.
var authresSamples = []struct {
	name, origin, header string
	id                   string
	want                 []string // "method=result prop=value ..." per result, in order
}{
	{"opendkim pass", "OpenDKIM 2.11 (Postfix milter): key size and DNSSEC state in a comment holding a ';'",
		"mx.regione.veneto.it;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=regione.veneto.it header.i=@regione.veneto.it header.a=rsa-sha256 header.s=mail header.b=\"Qx7Tz1Ab\";\r\n\tdkim-atps=neutral",
		"mx.regione.veneto.it", []string{"dkim=pass header.d=regione.veneto.it header.i=@regione.veneto.it header.a=rsa-sha256 header.s=mail header.b=Qx7Tz1Ab", "dkim-atps=neutral"}},
	{"opendkim secure", "OpenDKIM with a DNSSEC-signed key",
		"mail.example.com; dkim=pass (1024-bit key; secure) header.d=example.com header.i=@example.com header.b=\"aBcDeFgH\"",
		"mail.example.com", []string{"dkim=pass header.d=example.com header.i=@example.com header.b=aBcDeFgH"}},
	{"opendkim fail", "OpenDKIM: reason before the comment",
		"mx.regione.veneto.it; dkim=fail reason=\"signature verification failed\" (2048-bit key; unprotected) header.d=regione.veneto.it header.i=@regione.veneto.it header.b=\"Qx7Tz1Ab\"",
		"mx.regione.veneto.it", []string{"dkim=fail reason=signature verification failed header.d=regione.veneto.it header.i=@regione.veneto.it header.b=Qx7Tz1Ab"}},
	{"opendmarc pass", "OpenDMARC 1.4: policy and disposition in a comment",
		"mx.regione.veneto.it; dmarc=pass (p=reject dis=none) header.from=regione.veneto.it",
		"mx.regione.veneto.it", []string{"dmarc=pass header.from=regione.veneto.it"}},
	{"opendmarc fail", "OpenDMARC rejecting",
		"mx.regione.veneto.it; dmarc=fail (p=reject dis=reject) header.from=regione.veneto.it",
		"mx.regione.veneto.it", []string{"dmarc=fail header.from=regione.veneto.it"}},
	{"opendmarc spf", "OpenDMARC's own SPF check (SPFSelfValidate)",
		"mx.regione.veneto.it; spf=pass smtp.mailfrom=regione.veneto.it",
		"mx.regione.veneto.it", []string{"spf=pass smtp.mailfrom=regione.veneto.it"}},
	{"policyd-spf", "Postfix with pypolicyd-spf (Header_Type = AR)",
		"mx.regione.veneto.it; spf=pass (sender SPF authorized) smtp.mailfrom=staff1@regione.veneto.it",
		"mx.regione.veneto.it", []string{"spf=pass smtp.mailfrom=staff1@regione.veneto.it"}},
	{"postfix none", "a server that checked nothing (rfc/8601 appendix B.2)",
		"mx.regione.veneto.it 1; none", "mx.regione.veneto.it", nil},
	{"rspamd", "rspamd 3.x milter_headers authentication-results",
		"mx.regione.veneto.it;\r\n\tdkim=pass header.d=regione.veneto.it header.s=dkim header.b=Xy+Z/123;\r\n\tspf=pass (mx.regione.veneto.it: domain of \"staff1@regione.veneto.it\" designates 192.0.2.10 as permitted sender) smtp.mailfrom=staff1@regione.veneto.it;\r\n\tdmarc=pass (policy=reject) header.from=regione.veneto.it",
		"mx.regione.veneto.it", []string{"dkim=pass header.d=regione.veneto.it header.s=dkim header.b=Xy+Z/123", "spf=pass smtp.mailfrom=staff1@regione.veneto.it", "dmarc=pass header.from=regione.veneto.it"}},
	{"rspamd arc", "rspamd with ARC and no DMARC record",
		"mx.example.org; arc=none; dkim=none; spf=softfail (mx.example.org: 198.51.100.7 is neither permitted nor denied by domain of a@example.net) smtp.mailfrom=a@example.net; dmarc=none",
		"mx.example.org", []string{"arc=none", "dkim=none", "spf=softfail smtp.mailfrom=a@example.net", "dmarc=none"}},
	{"exchange online", "Exchange Online: no authserv-id, bare action=none, no space after ';', compauth",
		"spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=contoso.com; dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100",
		"", []string{"spf=pass smtp.mailfrom=contoso.com", "dkim=pass header.d=contoso.com", "dmarc=pass action=none header.from=contoso.com", "compauth=pass reason=100"}},
	{"exchange arc", "Exchange Online ARC-Authentication-Results style: authserv-id and version",
		"i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=contoso.com; dmarc=pass action=none header.from=contoso.com; dkim=pass header.d=contoso.com; arc=none",
		"", nil},
	{"gmail", "Gmail (mx.google.com), header.i with a bare @domain",
		"mx.google.com;\r\n       dkim=pass header.i=@regione.veneto.it header.s=20230601 header.b=AbCd+1/x;\r\n       spf=pass (google.com: domain of staff1@regione.veneto.it designates 209.85.220.41 as permitted sender) smtp.mailfrom=staff1@regione.veneto.it;\r\n       dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=regione.veneto.it",
		"mx.google.com", []string{"dkim=pass header.i=@regione.veneto.it header.s=20230601 header.b=AbCd+1/x", "spf=pass smtp.mailfrom=staff1@regione.veneto.it", "dmarc=pass header.from=regione.veneto.it"}},
	{"gmail arc", "Gmail's ARC result, details in a comment with '=' and ';'-free text",
		"mx.google.com; arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass dkdomain=example.com dmarc=pass fromdomain=example.com)",
		"mx.google.com", []string{"arc=pass"}},
	{"rfc8601 versions", "rfc/8601 appendix B.5: quoted authserv-id, method version, nested comment",
		"\"example.com\" 1 (a (nested) comment); auth/1=pass (cram-md5) smtp.auth=sender@example.net; spf=pass smtp.mailfrom=example.net;\r\n iprev=pass policy.iprev=192.0.2.200",
		"example.com", []string{"auth=pass smtp.auth=sender@example.net", "spf=pass smtp.mailfrom=example.net", "iprev=pass policy.iprev=192.0.2.200"}},
}

func describe(r AuthResult) string {
	s := r.Method + "=" + r.Result
	if r.Reason != "" {
		s += " reason=" + r.Reason
	}
	for _, p := range r.Props {
		if p.Type != "" {
			s += " " + p.Type + "." + p.Name + "=" + p.Value
		} else {
			s += " " + p.Name + "=" + p.Value
		}
	}
	return s
}

func TestParseAuthResultsRealHeaders(t *testing.T) {
	for _, tc := range authresSamples {
		t.Run(tc.name, func(t *testing.T) {
			res, err := ParseAuthResults(tc.header)
			if tc.name == "exchange arc" {
				// ARC-Authentication-Results starts with "i=1;": it is not an
				// Authentication-Results header and must not pass for one.
				if err == nil {
					t.Fatalf("parsed %+v", res)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", tc.origin, err)
			}
			if res.AuthServID != tc.id {
				t.Errorf("authserv-id %q, want %q", res.AuthServID, tc.id)
			}
			var got []string
			for _, r := range res.Results {
				got = append(got, describe(r))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s:\n got %q\nwant %q", tc.origin, got, tc.want)
			}
		})
	}
}

func TestParseAuthResultsRefusesBrokenHeaders(t *testing.T) {
	for _, tc := range []struct{ header, id string }{
		{"mx.regione.veneto.it; dkim=pass (2048-bit key; unprotected header.d=regione.veneto.it", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; dkim=pass header.d=\"regione.veneto.it", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it dkim=pass header.d=regione.veneto.it", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; dkim=", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; dkim pass", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; dkim=pass header.d", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; none; dkim=pass", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it", "mx.regione.veneto.it"},
		{"mx.regione.veneto.it; dkim=pass header.d=a.it \\", "mx.regione.veneto.it"},
		{"  \"mx.regione.veneto.it\" ; dmarc=pass header.from=(x", "mx.regione.veneto.it"},
		{"", ""},
		{"; dkim=pass", ""},
	} {
		res, err := ParseAuthResults(tc.header)
		if !errors.Is(err, ErrAuthResults) {
			t.Errorf("%q: err %v, results %+v", tc.header, err, res.Results)
			continue
		}
		if res.AuthServID != tc.id || len(res.Results) != 0 {
			t.Errorf("%q: broken header gives authserv-id %q and %d results", tc.header, res.AuthServID, len(res.Results))
		}
	}
}

func FuzzParseAuthResults(f *testing.F) {
	for _, tc := range authresSamples {
		f.Add(tc.header)
	}
	f.Add("x; a=b (c; d) e.f=\"g;h\" reason=\"i\\\"j\"")
	f.Fuzz(func(t *testing.T, v string) {
		res, err := ParseAuthResults(v)
		if err != nil {
			if len(res.Results) != 0 {
				t.Fatalf("error with results: %v", err)
			}
			return
		}
		// What parsed writes back to the same meaning.
		again, err := ParseAuthResults(res.String())
		if err != nil {
			t.Fatalf("%q: re-parse of %q: %v", v, res.String(), err)
		}
		if !reflect.DeepEqual(res, again) {
			t.Fatalf("%q: round trip\n %+v\n %+v", v, res, again)
		}
		if strings.ContainsAny(res.AuthServID, "\r\n") {
			t.Fatalf("authserv-id with a line break: %q", res.AuthServID)
		}
	})
}
