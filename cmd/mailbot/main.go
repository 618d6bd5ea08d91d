// Command mailbot runs the email side of the Regione del Veneto PagoPA onboarding service.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Rome everywhere, even without system zoneinfo

	"mailbot/mailbot"
	"mailbot/parsers"
)

const usageText = `mailbot: the email helpdesk of the PagoPA onboarding (MyPay, MyPivot)

Usage:
  mailbot demo                                   run against an in-process mail system and report
  mailbot serve -config FILE                     run the daemon
  mailbot tickets list -config FILE [-json]      list tickets
  mailbot tickets show -config FILE [-json] ID   show one ticket with messages and events
  mailbot ticket VERB -config FILE ID ARGS...    act on a ticket as staff (same as #commands by mail),
                                                 VERB one of %s
  mailbot ticket send-credentials -config FILE -env collaudo|esercizio -values FILE.toml ID
                                                 send the credentials template to the referent
  mailbot ticket                                 the usage of each VERB
  mailbot inspect [-json] FILE.eml               what mailbot understands of one message
  mailbot remind -config FILE [-now RFC3339] [-dry-run] [-json]
                                                 queue (or list) the reminders and escalations due
  mailbot digest -config FILE [-now RFC3339] [-print]
                                                 queue (or print) the daily digest
  mailbot catalog export -config FILE -format json|csv|html|all -out DIR
                                                 write the public catalogs (prodotti, processi, enti)
  mailbot catalog hide|unhide -config FILE [-catalog NAME] KEY
  mailbot catalog edit -config FILE [-catalog NAME] KEY FIELD=VALUE...
                                                 hide or correct a catalog entry (KEY: its ticket)
  mailbot config check -config FILE [-connect]   what is wrong with a configuration; -connect logs in to each server
  mailbot status -config FILE [-json]            how serve, the mailboxes, the outbox and the cases are doing
  mailbot backup -config FILE -out DIR           consistent copy of the data directory, serve running or not
  mailbot check -config FILE | -dir DIR          verify a data directory or a backup
  mailbot retention -config FILE                 delete now the raw mail of cases closed past [retention]
  mailbot forget -config FILE -email ADDR        erase a person's data from closed cases (GDPR art. 17)
  mailbot console link -config FILE -email ADDR  print a one-time sign-in link to the web console ([console])
  mailbot registry import -config FILE ENTI.csv  load the registry of enti (IndicePA open data, "Enti")
  mailbot pec import -config FILE PROVIDERS.ldif load the index of PEC providers (AgID, RFC 6109): PEC envelopes are verified against it
  mailbot console signout -config FILE -email ADDR  end every console session of a person
  mailbot held list|release|drop -config FILE [ID]  automatic replies an hourly cap held back
`

// usage is usageText with the verbs of `mailbot ticket`, from the table of staff commands.
func usage() string { return fmt.Sprintf(usageText, ticketVerbs()) }

func main() {
	mailbot.ServeReadWorker(parsers.InProcess) // the hidden subcommand: a process that reads documents for the daemon
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "tickets":
		return runTickets(ctx, args[1:], stdout, stderr)
	case "remind":
		return runRemind(ctx, args[1:], stdout, stderr)
	case "digest":
		return runDigest(ctx, args[1:], stdout, stderr)
	case "ticket":
		return runTicket(ctx, args[1:], stdout, stderr)
	case "catalog":
		return runCatalog(ctx, args[1:], stdout, stderr)
	case "config":
		return runConfig(ctx, args[1:], stdout, stderr)
	case "status":
		return runStatus(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "retention":
		return runRetention(ctx, args[1:], stdout, stderr)
	case "forget":
		return runForget(ctx, args[1:], stdout, stderr)
	case "console":
		return runConsole(ctx, args[1:], stdout, stderr)
	case "held":
		return runHeld(ctx, args[1:], stdout, stderr)
	case "pec":
		return runPEC(ctx, args[1:], stdout, stderr)
	case "registry":
		return runRegistry(ctx, args[1:], stdout, stderr)
	case "inspect":
		return runInspect(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	default:
		fmt.Fprintf(stderr, "mailbot: unknown command %q\n\n%s", args[0], usage())
		return 2
	}
}
