package mailbot

import (
	"strings"
	"testing"
)

func TestPhrasing(t *testing.T) {
	for _, c := range []struct {
		text       string
		re         string
		done, fail bool
	}{
		{"Abbiamo effettuato il pagamento reale in esercizio, è andato a buon fine.", "payment", true, false},
		{"Il pagamento in esercizio è stato eseguito correttamente", "payment", true, false},
		{"Siamo in esercizio da oggi", "payment", true, false},
		{"Il pagamento non è andato a buon fine", "payment", true, true},
		{"Quando possiamo fare il pagamento?", "payment", false, false},
	} {
		done, fail := paymentDoneRE.MatchString(c.text), paymentFailRE.MatchString(c.text)
		if done != c.done || fail != c.fail {
			t.Errorf("%q: done=%v fail=%v, want %v %v", c.text, done, fail, c.done, c.fail)
		}
	}
	for _, c := range []struct {
		text           string
		prod, res, neg bool
	}{
		{"Esiti dei test: positivo. Chiediamo l'attivazione in esercizio.", true, true, false},
		{"I test sono stati superati, richiesta attivazione in produzione", true, true, false},
		{"Esito: negativo, riproveremo", false, true, true},
		{"Buongiorno, una domanda sulle credenziali", false, false, false},
	} {
		if got := productionRE.MatchString(c.text); got != c.prod {
			t.Errorf("%q: production=%v", c.text, got)
		}
		if got := resultsRE.MatchString(c.text); got != c.res {
			t.Errorf("%q: results=%v", c.text, got)
		}
		if got := negativeRE.MatchString(c.text); got != c.neg {
			t.Errorf("%q: negative=%v", c.text, got)
		}
	}
}

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
