package templates

import (
	"embed"
	"errors"
	"fmt"
)

// formFS holds the blank forms made by internal/formgen from parsers.Forms; regenerate them
// with `go run ./internal/formgen/cmd/formgen`, never edit them by hand.
//
//go:embed forms/*
var formFS embed.FS

// ErrNoBlankForm is returned for a form type or format mailbot does not ship.
var ErrNoBlankForm = errors.New("no such blank form")

// blankFormNames are the names referents see on the attachments, by form type.
var blankFormNames = map[string]string{
	"informativa_generale":         "Informativa_Generale_ente",
	"qualificazione_ente_prodotto": "Qualificazione_Ente-Prodotto",
	"qualificazione_prodotto":      "Qualificazione_Prodotto",
	"qualificazione_processo":      "Qualificazione_Processo",
	"domanda_invito":               "Domanda_di_invito",
	"esiti_collaudo":               "Esiti_collaudo",
}

// BlankForm returns the blank form of a type in a format ("pdf", "docx", "odt") and its file name.
func BlankForm(formType, format string) (name string, data []byte, err error) {
	base, ok := blankFormNames[formType]
	if !ok {
		return "", nil, fmt.Errorf("%w: form type %q", ErrNoBlankForm, formType)
	}
	switch format {
	case "pdf", "docx", "odt":
	default:
		return "", nil, fmt.Errorf("%w: format %q", ErrNoBlankForm, format)
	}
	data, err = formFS.ReadFile("forms/" + formType + "." + format)
	if err != nil {
		return "", nil, fmt.Errorf("blank form %s.%s: %w", formType, format, err)
	}
	return base + "." + format, data, nil
}
