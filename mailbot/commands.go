package mailbot

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"mailbot/templates/say"
	"mailbot/ticketing"
)

// Command is one staff command: the one place that says how it is written by mail, on the
// command line and in the web console, what help says of it, who may run it and what runs it.
// Mail parsing (parseCommands, apply), `mailbot ticket` (cmd/mailbot/ticket.go), the console's
// actions (console/case.go) and every help or refusal text are read from Commands; a test checks
// that the README's table says the same.
type Command struct {
	Name string // by mail: "#" + Name, first word of a line at the top of the message
	Args string // its arguments as help shows them ("" for none)
	Help string // one line for people (Italian)
	Who  Who    // who may run it
	// Lines: by mail, "chiave: valore" lines under the command line belong to it.
	Lines bool

	Verb    string   // CLI: mailbot ticket Verb; "" when there is none
	CLIArgs string   // the CLI's arguments after the ticket ID, as usage shows them
	Input   CLIInput // how the CLI passes them

	// Form is the console's action ("azione" of the case page's forms); "" when there is none.
	// Console describes its form, which the console renders from this description; FromForm
	// turns the posted form into the command's arguments (nil: the field "testo").
	Form     string
	Console  ConsoleForm
	FromForm func(f FormValues, me string) (arg string, values map[string]string, err error)

	run func(in *Intake, c call) (string, error)
}

// Who says who may run a command.
type Who string

// AnyStaff: any staff member, authenticated by their mail (DKIM/DMARC or #codice), signed in to
// the console, or running the CLI on the server.
const AnyStaff Who = "staff"

// CLIInput is how `mailbot ticket VERB` passes a command's arguments.
type CLIInput int

// The ways of the CLI.
const (
	CLIText        CLIInput = iota // the words after the ID, joined: the text of the mail line
	CLIValues                      // KEY=VALUE arguments, one per value (a value may hold spaces)
	CLICredentials                 // -env collaudo|esercizio -values FILE.toml
)

// ConsoleForm is a command's form on the console's case page. The console renders it from
// this description alone, so a command needs no markup of its own; a test checks that FromForm
// reads exactly the fields described.
type ConsoleForm struct {
	Title  string // the heading of the form's section
	Intro  string // a paragraph above the fields, or ""; {referente} is the case's requester
	Fields []FormField
	Submit string // the button
	Secret bool   // the browser keeps nothing typed (autocomplete off)
	// Shown says whether a case is offered the form (nil: every case). A form with a choice
	// whose options come from the case (FormField.From) is left out when there are none.
	Shown func(tk *ticketing.Ticket) bool
}

// FormField is one field of a console form.
type FormField struct {
	Name     string // the posted key FromForm reads
	Label    string // {referente} is the case's requester
	Input    FieldInput
	Required bool
	Rows     int      // of a text area
	Options  []Option // a choice's fixed options, first
	From     Choices  // a choice's options from the case or the configuration, after Options
}

// FieldInput is how a form field is typed in.
type FieldInput string

// The inputs of console forms.
const (
	InputText     FieldInput = "text"
	InputTextArea FieldInput = "textarea"
	InputPassword FieldInput = "password"
	InputChoice   FieldInput = "select"
)

// Option is one option of a choice: the value posted and what a person reads.
type Option struct{ Value, Label string }

// Choices names where a choice's options come from.
type Choices string

// Sources of options.
const (
	ChoicesStaff      Choices = "staff"       // "me", then every staff address
	ChoicesNextStates Choices = "next_states" // the states the case may move to
	ChoicesCatalogs   Choices = "catalogs"    // the public catalogs the case has an entry in
	ChoicesDoubts     Choices = "doubts"      // the values of the case file in doubt with a value read
	ChoicesProposals  Choices = "proposals"   // the case's pending proposals, by number
	ChoicesHeld       Choices = "held"        // the case's automatic replies held back, by number
	ChoicesKept       Choices = "kept"        // the messages kept outside any case that are about it
	ChoicesSenders    Choices = "senders"     // the case's messages not acted on because of their sender
)

func integrationOnly(tk *ticketing.Ticket) bool { return tk.Kind == ticketing.KindIntegration }

func unflagged(tk *ticketing.Ticket) bool { return tk.FlagKind == ticketing.FlagNone }

// proposalField chooses one of the case's proposals waiting for staff.
var proposalField = FormField{Name: "proposta", Label: say.Text("cmd.proposal.field"), Input: InputChoice, From: ChoicesProposals}

// reasonField is the required reason of closing, cancelling or moving a case.
var reasonField = FormField{Name: "motivo", Label: say.Text("cmd.reason.label"), Input: InputText, Required: true}

// credentialFields are the credentials form's fields: the environment, then every key.
func credentialFields() []FormField {
	fs := []FormField{{Name: "ambiente", Label: say.Text("cmd.credenziali.label.ambiente"), Input: InputChoice,
		Options: []Option{{ticketing.EnvCollaudo, ticketing.EnvCollaudo}, {ticketing.EnvEsercizio, ticketing.EnvEsercizio}}}}
	for _, k := range credentialKeys {
		in := InputText
		if strings.HasPrefix(k, "password_") {
			in = InputPassword
		}
		fs = append(fs, FormField{Name: k, Label: k, Input: in})
	}
	return fs
}

// FormValues reads a console form: Get trimmed, Raw as typed.
type FormValues interface {
	Get(key string) string
	Raw(key string) string
}

// call is one command applied to a ticket.
type call struct {
	tx       *ticketing.Tx
	tk       *ticketing.Ticket
	arg      string
	values   map[string]string
	by, line string // who, and the command's line as the answer quotes it
	now      time.Time
	name     string
}

// Commands lists the staff commands. Adding one is an entry here and its handler.
var Commands = []Command{
	{Name: "assegna", Args: "INDIRIZZO", Help: say.Text("cmd.assegna.help"), Who: AnyStaff,
		Verb: "assign", CLIArgs: "ASSIGNEE", Form: "assegna",
		Console: ConsoleForm{Title: say.Text("cmd.assegna.title"), Submit: say.Text("cmd.assegna.submit"),
			Fields: []FormField{{Name: "a", Label: say.Text("cmd.assegna.label.a"), Input: InputChoice, From: ChoicesStaff}}},
		FromForm: func(f FormValues, me string) (string, map[string]string, error) {
			if to := f.Get("a"); to != "me" {
				return to, nil, nil
			}
			return me, nil, nil
		},
		run: (*Intake).assign},
	{Name: "nota", Args: "TESTO", Help: say.Text("cmd.nota.help"), Who: AnyStaff,
		Verb: "note", CLIArgs: "TEXT...", Form: "nota",
		Console: ConsoleForm{Title: say.Text("cmd.nota.title"), Submit: say.Text("cmd.nota.submit"),
			Fields: []FormField{{Name: "testo", Label: say.Text("cmd.nota.label.testo"), Input: InputTextArea, Rows: 3, Required: true}}},
		run: (*Intake).note},
	{Name: "segnala", Args: "[MOTIVO]", Help: say.Text("cmd.segnala.help"), Who: AnyStaff,
		Verb: "mark", CLIArgs: "[REASON...]", Form: "segnala",
		// A flagged case shows its flag first, with the button that takes it off.
		Console: ConsoleForm{Title: say.Text("cmd.segnala.title"), Submit: say.Text("cmd.segnala.submit"), Shown: unflagged,
			Fields: []FormField{{Name: "testo", Label: say.Text("cmd.segnala.label.testo"), Input: InputText, Required: true}}},
		run: (*Intake).mark},
	{Name: "stato", Args: "STATO MOTIVO", Help: say.Text("cmd.stato.help"), Who: AnyStaff,
		Verb: "state", CLIArgs: "STATE [REASON...]", Form: "stato",
		Console: ConsoleForm{Title: say.Text("cmd.stato.title"), Submit: say.Text("cmd.stato.submit"),
			Fields: []FormField{{Name: "stato", Label: say.Text("cmd.stato.label.stato"), Input: InputChoice, From: ChoicesNextStates}, reasonField}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("motivo") == "" {
				return "", nil, errors.New(say.Text("cmd.stato.error"))
			}
			return f.Get("stato") + " " + f.Get("motivo"), nil, nil
		},
		run: (*Intake).state},
	{Name: "chiudi", Args: "[MOTIVO]", Help: say.Text("cmd.chiudi.help"), Who: AnyStaff,
		Verb: "close", CLIArgs: "[REASON...]", Form: "chiudi", FromForm: reasonForm,
		Console: ConsoleForm{Title: say.Text("cmd.chiudi.title"), Submit: say.Text("cmd.chiudi.submit"), Fields: []FormField{reasonField}},
		run:     (*Intake).closeCase},
	{Name: "annulla", Args: "MOTIVO", Help: say.Text("cmd.annulla.help"), Who: AnyStaff,
		Verb: "cancel", CLIArgs: "REASON...", Form: "annulla", FromForm: reasonForm,
		Console: ConsoleForm{Title: say.Text("cmd.annulla.title"), Submit: say.Text("cmd.annulla.submit"), Fields: []FormField{reasonField}},
		run:     (*Intake).cancel},
	{Name: "campo", Args: "CHIAVE=VALORE ...", Help: say.Text("cmd.campo.help"), Who: AnyStaff,
		Verb: "field", CLIArgs: "KEY=VALUE...", Input: CLIValues, Form: "campo",
		Console: ConsoleForm{Title: say.Text("cmd.campo.title"), Submit: say.Text("cmd.campo.submit"), Fields: []FormField{
			{Name: "chiave", Label: say.Text("cmd.campo.label.chiave"), Input: InputText, Required: true},
			{Name: "valore", Label: say.Text("cmd.campo.label.valore"), Input: InputText, Required: true}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			k := strings.ToLower(f.Get("chiave"))
			if k == "" {
				return "", nil, errors.New(say.Text("cmd.campo.error"))
			}
			return "", map[string]string{k: f.Get("valore")}, nil
		},
		run: (*Intake).field},
	{Name: "conferma", Args: "CHIAVE|tutto", Help: say.Text("cmd.conferma.help"), Who: AnyStaff,
		Verb: "confirm", CLIArgs: "KEY|tutto", Form: "conferma",
		// Each doubt also has its own button at the top of the case page.
		Console: ConsoleForm{Title: say.Text("cmd.conferma.title"), Submit: say.Text("cmd.conferma.submit"),
			Fields: []FormField{{Name: "chiave", Label: say.Text("cmd.conferma.label.chiave"), Input: InputChoice, From: ChoicesDoubts}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("chiave") == "" {
				return "", nil, errors.New(say.Text("cmd.conferma.error"))
			}
			return f.Get("chiave"), nil, nil
		},
		run: (*Intake).confirm},
	{Name: "accetta", Args: "N", Help: say.Text("cmd.accetta.help"), Who: AnyStaff,
		Verb: "accept", CLIArgs: "N", Form: "accetta",
		// Each proposal also has its own buttons at the top of the case page.
		Console: ConsoleForm{Title: say.Text("cmd.accetta.title"), Submit: say.Text("cmd.accetta.submit"), Fields: []FormField{proposalField}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("proposta") == "" {
				return "", nil, errors.New(say.Text("cmd.proposal.missing"))
			}
			return f.Get("proposta"), nil, nil
		},
		run: (*Intake).acceptProposal},
	{Name: "rifiuta", Args: "N [MOTIVO]", Help: say.Text("cmd.rifiuta.help"), Who: AnyStaff,
		Verb: "reject", CLIArgs: "N [REASON...]", Form: "rifiuta",
		Console: ConsoleForm{Title: say.Text("cmd.rifiuta.title"), Submit: say.Text("cmd.rifiuta.submit"), Fields: []FormField{
			proposalField, {Name: "motivo", Label: say.Text("cmd.proposal.reason"), Input: InputText}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("proposta") == "" {
				return "", nil, errors.New(say.Text("cmd.proposal.missing"))
			}
			return strings.TrimSpace(f.Get("proposta") + " " + f.Get("motivo")), nil, nil
		},
		run: (*Intake).rejectProposal},
	{Name: "trattenuta", Args: "N invia|scarta", Help: say.Text("cmd.trattenuta.help"), Who: AnyStaff, Form: "trattenuta",
		// Each held reply also has its own buttons at the top of the case page.
		Console: ConsoleForm{Title: say.Text("cmd.trattenuta.title"), Submit: say.Text("cmd.trattenuta.submit"), Fields: []FormField{
			{Name: "risposta", Label: say.Text("cmd.trattenuta.label.risposta"), Input: InputChoice, From: ChoicesHeld},
			{Name: "decisione", Label: say.Text("cmd.trattenuta.label.decisione"), Input: InputChoice, Options: []Option{{"invia", "invia"}, {"scarta", "scarta"}}}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("risposta") == "" || f.Get("decisione") == "" {
				return "", nil, errors.New(say.Text("cmd.trattenuta.missing"))
			}
			return f.Get("risposta") + " " + f.Get("decisione"), nil, nil
		},
		run: (*Intake).decideHeld},
	{Name: "trattenuto", Args: "N allega|scarta", Help: say.Text("cmd.trattenuto.help"), Who: AnyStaff, Form: "trattenuto",
		// Each kept message about the case also has its own buttons at the top of the case page.
		Console: ConsoleForm{Title: say.Text("cmd.trattenuto.title"), Submit: say.Text("cmd.trattenuto.submit"), Fields: []FormField{
			{Name: "messaggio", Label: say.Text("cmd.trattenuto.label.messaggio"), Input: InputChoice, From: ChoicesKept},
			{Name: "decisione", Label: say.Text("cmd.trattenuto.label.decisione"), Input: InputChoice, Options: []Option{{"allega", "allega"}, {"scarta", "scarta"}}}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("messaggio") == "" || f.Get("decisione") == "" {
				return "", nil, errors.New(say.Text("cmd.trattenuto.missing"))
			}
			return f.Get("messaggio") + " " + f.Get("decisione"), nil, nil
		},
		run: (*Intake).decideKept},
	{Name: "verificato", Args: "N", Help: say.Text("cmd.verificato.help"), Who: AnyStaff, Form: "verificato",
		// Each such message also has its own button at the top of the case page.
		Console: ConsoleForm{Title: say.Text("cmd.verificato.title"), Submit: say.Text("cmd.verificato.submit"), Fields: []FormField{
			{Name: "messaggio", Label: say.Text("cmd.verificato.label.messaggio"), Input: InputChoice, From: ChoicesSenders}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			if f.Get("messaggio") == "" {
				return "", nil, errors.New(say.Text("cmd.verificato.missing"))
			}
			return f.Get("messaggio"), nil, nil
		},
		run: (*Intake).checkedSender},
	{Name: "credenziali", Args: "collaudo|esercizio, poi righe chiave: valore", Help: say.Text("cmd.credenziali.help"), Who: AnyStaff, Lines: true,
		Verb: "send-credentials", CLIArgs: "-env collaudo|esercizio -values FILE.toml", Input: CLICredentials, Form: "credenziali",
		Console: ConsoleForm{Title: say.Text("cmd.credenziali.title"), Submit: say.Text("cmd.credenziali.submit"), Secret: true, Shown: integrationOnly,
			Intro:  say.Text("cmd.credenziali.intro"),
			Fields: credentialFields()},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			values := map[string]string{}
			for _, k := range CredentialKeys() {
				if v := f.Get(k); v != "" {
					values[k] = v
				}
			}
			return f.Get("ambiente"), values, nil
		},
		run: (*Intake).credentials},
	{Name: "scrivi", Args: "TESTO", Help: say.Text("cmd.scrivi.help"), Who: AnyStaff,
		Verb: "write", CLIArgs: "TEXT...", Form: "scrivi",
		Console: ConsoleForm{Title: say.Text("cmd.scrivi.title"), Submit: say.Text("cmd.scrivi.submit"),
			Fields: []FormField{{Name: "testo", Label: say.Text("cmd.scrivi.label.testo"), Input: InputTextArea, Rows: 6, Required: true}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) { return f.Raw("testo"), nil, nil },
		run: func(in *Intake, c call) (string, error) {
			return in.writeReferent(c.tx, c.tk, c.arg, c.by, "#scrivi", c.now)
		}},
	{Name: "catalogo", Args: "[CATALOGO] [nascondi|mostra] [campo=valore ...]", Help: say.Text("cmd.catalogo.help"), Who: AnyStaff,
		Verb: "catalog", CLIArgs: "[CATALOG] [nascondi|mostra] [FIELD=VALUE...]", Form: "catalogo",
		Console: ConsoleForm{Title: say.Text("cmd.catalogo.title"), Submit: say.Text("cmd.catalogo.submit"), Fields: []FormField{
			{Name: "catalogo", Label: say.Text("cmd.catalogo.label.catalogo"), Input: InputChoice, Options: []Option{{"", say.Text("cmd.catalogo.option.any")}}, From: ChoicesCatalogs},
			{Name: "visibilita", Label: say.Text("cmd.catalogo.label.visibilita"), Input: InputChoice,
				Options: []Option{{"", say.Text("cmd.catalogo.option.unchanged")}, {"nascondi", say.Text("cmd.catalogo.option.nascondi")}, {"mostra", say.Text("cmd.catalogo.option.mostra")}}},
			{Name: "campo", Label: say.Text("cmd.catalogo.label.campo"), Input: InputText},
			{Name: "valore", Label: say.Text("cmd.catalogo.label.valore"), Input: InputText}}},
		FromForm: func(f FormValues, _ string) (string, map[string]string, error) {
			// The catalog, the visibility, and one corrected field of the form.
			var fields map[string]string
			if k := f.Get("campo"); k != "" {
				fields = map[string]string{k: f.Get("valore")}
			}
			return strings.TrimSpace(f.Get("catalogo") + " " + f.Get("visibilita")), fields, nil
		},
		run: func(in *Intake, c call) (string, error) {
			return in.correctCatalog(c.tx, c.tk, command{name: c.name, arg: c.arg, values: c.values}, c.by, c.line, c.now)
		}},
}

// reasonForm reads a form whose one field is the reason, required.
func reasonForm(f FormValues, _ string) (string, map[string]string, error) {
	if f.Get("motivo") == "" {
		return "", nil, errors.New(say.Text("cmd.reason.error"))
	}
	return f.Get("motivo"), nil, nil
}

// CommandNamed returns the command of a mail name ("assegna").
func CommandNamed(name string) (Command, bool) {
	for _, c := range Commands {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// CommandOfVerb returns the command of a CLI verb.
func CommandOfVerb(verb string) (Command, bool) {
	for _, c := range Commands {
		if c.Verb != "" && c.Verb == verb {
			return c, true
		}
	}
	return Command{}, false
}

// CommandOfForm returns the command of a console action.
func CommandOfForm(action string) (Command, bool) {
	for _, c := range Commands {
		if c.Form != "" && c.Form == action {
			return c, true
		}
	}
	return Command{}, false
}

// ReadForm turns a console action's form into the command's arguments.
func (c Command) ReadForm(f FormValues, me string) (arg string, values map[string]string, err error) {
	if c.FromForm == nil {
		return f.Get("testo"), nil, nil
	}
	return c.FromForm(f, me)
}

// Syntax is the command as written by mail: "#stato STATO MOTIVO".
func (c Command) Syntax() string { return strings.TrimSpace("#" + c.Name + " " + c.Args) }

// CLIUsage is the command's usage line of `mailbot ticket`.
func (c Command) CLIUsage() string {
	if c.Input == CLICredentials {
		return "mailbot ticket " + c.Verb + " -config FILE " + c.CLIArgs + " ID"
	}
	return "mailbot ticket " + c.Verb + " -config FILE ID " + c.CLIArgs
}

// commandNames lists the mail commands for a refusal: "#assegna, #nota, ...".
func commandNames() string {
	names := make([]string, len(Commands))
	for i, c := range Commands {
		names[i] = "#" + c.Name
	}
	return strings.Join(names, ", ")
}

// Handlers of the commands that have no other home.

func (in *Intake) assign(c call) (string, error) {
	if c.arg == "" {
		return "", refusal("refuse.assign_nobody", c.line)
	}
	to, ok := in.cfg.ResolveAssignee(c.arg)
	if !ok {
		return "", refusal("refuse.assign_not_staff", c.line, c.arg, in.cfg.ValidAssignees())
	}
	if err := c.tx.SetAssignee(c.tk.ID, to, c.by, c.now); err != nil {
		return "", err
	}
	if to == "" {
		return say.Text("cmd.result.unassigned", c.line), nil
	}
	return say.Text("cmd.result.assigned", c.line, to), nil
}

// mark is "#segnala testo", marking the case for a person; a bare "#segnala" takes the mark off
// (the reason was dealt with). Both are recorded.
func (in *Intake) mark(c call) (string, error) {
	if c.arg == "" {
		if c.tk.FlagKind == ticketing.FlagNone {
			return "", refusal("refuse.no_flag", c.line)
		}
		if err := c.tx.ClearFlag(c.tk.ID, c.by, say.Text("cmd.result.unflag_event", c.tk.Flag), c.now); err != nil {
			return "", err
		}
		return say.Text("cmd.result.unflagged", c.line), nil
	}
	if err := c.tx.SetFlag(c.tk.ID, ticketing.FlagStaff, c.arg, c.by, c.now); err != nil {
		return "", err
	}
	return say.Text("cmd.result.flagged", c.line), nil
}

func (in *Intake) note(c call) (string, error) {
	if c.arg == "" {
		return "", refusal("refuse.note_empty", c.line)
	}
	if err := c.tx.AddEvent(c.tk.ID, ticketing.Event{At: c.now, Type: ticketing.EventNote, By: c.by, Text: c.arg}); err != nil {
		return "", err
	}
	return say.Text("cmd.result.noted", c.line), nil
}

// state is "#stato testing documenti verificati a mano": the state, then the reason.
func (in *Intake) state(c call) (string, error) {
	state, reason, _ := strings.Cut(strings.TrimSpace(c.arg), " ")
	return in.moveTo(c.tx, c.tk, strings.ToLower(state), c.by, strings.TrimSpace(reason), c.line, c.now)
}

func (in *Intake) closeCase(c call) (string, error) {
	to := ticketing.StateCompleted
	if c.tk.Kind == ticketing.KindQualification {
		to = ticketing.StateQualified
	}
	return in.moveTo(c.tx, c.tk, to, c.by, c.arg, c.line, c.now)
}

func (in *Intake) cancel(c call) (string, error) {
	return in.moveTo(c.tx, c.tk, ticketing.StateCancelled, c.by, c.arg, c.line, c.now)
}

func (in *Intake) credentials(c call) (string, error) {
	env := strings.ToLower(c.arg)
	if err := in.SendCredentials(c.tx, c.tk, env, c.values, c.by, c.now); err != nil {
		if errors.Is(err, errRefused) {
			return "", refusal("refuse.credentials", env, err)
		}
		return "", err
	}
	return say.Text("cmd.result.credentials", env, c.tk.Requester), nil
}

func (in *Intake) field(c call) (string, error) {
	keys, values := parseFieldArgs(c.arg)
	if len(c.values) > 0 { // from the CLI or the console, one argument per value
		keys, values = slices.Sorted(maps.Keys(c.values)), c.values
	}
	return in.setFields(c.tx, c.tk, keys, values, c.by, c.line, c.now)
}
