package mailbot

import (
	"strings"
	"testing"
)

func TestParseCommands(t *testing.T) {
	cmds, secret := parseCommands("\n#assegna mario.rossi\n#NOTA documenti ok\n#codice s3cret\n#credenziali collaudo\ncodice_ipa: c_l736\npassword_mypay: a:b:c\n\nGrazie,\n#stato testing\n")
	if secret != "s3cret" {
		t.Errorf("secret %q", secret)
	}
	var names []string
	for _, c := range cmds {
		names = append(names, c.name+"="+c.arg)
	}
	if got := strings.Join(names, ","); got != "assegna=mario.rossi,nota=documenti ok,credenziali=collaudo" {
		t.Errorf("commands %s (parsing must stop at the first line of prose)", got)
	}
	if v := cmds[2].values; v["codice_ipa"] != "c_l736" || v["password_mypay"] != "a:b:c" {
		t.Errorf("values %v", v)
	}
}

func TestCheckCredentials(t *testing.T) {
	for _, c := range []struct {
		values map[string]string
		want   string
	}{
		{map[string]string{"codice_ipa": "c_l736", "password_mypay": "x"}, ""},
		{map[string]string{"codice_ipa": "c_l736", "password_mypivot": "x", "note": "n"}, ""},
		{map[string]string{"password_mypay": "x"}, "codice_ipa"},
		{map[string]string{"codice_ipa": "c_l736"}, "password"},
		{map[string]string{"codice_ipa": "c_l736", "password_mypay": "x", "pasword_mypivot": "y"}, "pasword_mypivot"},
	} {
		err := CheckCredentials(c.values)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%v: %v, want mention of %q", c.values, err, c.want)
		}
	}
}
