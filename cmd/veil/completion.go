package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// runCompletion is 'veil completion bash|zsh|fish': it prints a completion
// script for the subcommands and their flags.
func runCompletion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const u = `usage: veil completion bash|zsh|fish

  bash:  source <(veil completion bash)            (or save it in /etc/bash_completion.d/veil)
  zsh:   source <(veil completion zsh)             (after compinit; or save it as _veil on $fpath)
  fish:  veil completion fish | source             (or save it in ~/.config/fish/completions/veil.fish)
`
	if len(args) != 1 {
		fmt.Fprint(stderr, u)
		return errUsage
	}
	switch args[0] {
	case "bash":
		fmt.Fprint(stdout, bashCompletion(completionCommands(ctx)))
	case "zsh":
		fmt.Fprint(stdout, zshCompletion(completionCommands(ctx)))
	case "fish":
		fmt.Fprint(stdout, fishCompletion(completionCommands(ctx)))
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, u)
		return errHelp
	default:
		fmt.Fprintf(stderr, "veil completion: unknown shell %q\n%s", args[0], u)
		return errUsage
	}
	return nil
}

// completionFlag is one flag of a subcommand.
type completionFlag struct {
	name, usage string
	value       bool // takes a value
}

type completionCommand struct {
	name, summary string
	words         []string // fixed words after the command (rules: lint)
	flags         []completionFlag
}

// flagLine matches a flag in the flag package's usage: "  -name type" or
// "  -name" (a boolean), the usage on the next line after a tab.
var flagLine = regexp.MustCompile(`(?m)^  -([A-Za-z0-9][\w.-]*)( \S+)?\n\s+(.*)$`)

// completionCommands lists the subcommands with the flags each one declares,
// read from its own -h output, so that completion cannot drift from the code.
func completionCommands(ctx context.Context) []completionCommand {
	var out []completionCommand
	for _, c := range commands() {
		cc := completionCommand{name: c.name, summary: c.summary}
		args := []string{"-h"}
		switch c.name {
		case "rules":
			cc.words, args = []string{"lint"}, []string{"lint", "-h"}
		case "keys":
			cc.words, args = []string{"rotate"}, []string{"rotate", "-h"}
		case "completion":
			out = append(out, completionCommand{name: c.name, summary: c.summary, words: []string{"bash", "zsh", "fish"}})
			continue
		}
		var help bytes.Buffer
		_ = c.run(ctx, args, strings.NewReader(""), &help, io.Discard)
		for _, m := range flagLine.FindAllStringSubmatch(help.String(), -1) {
			cc.flags = append(cc.flags, completionFlag{name: m[1], value: m[2] != "", usage: m[3]})
		}
		out = append(out, cc)
	}
	return append(out, completionCommand{name: "help", summary: "show the commands, or the flags of one"})
}

func flagNames(c completionCommand) string {
	var b []string
	for _, f := range c.flags {
		b = append(b, "--"+f.name)
	}
	return strings.Join(b, " ")
}

func bashCompletion(cmds []completionCommand) string {
	var b strings.Builder
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(&b, `# bash completion for veil: source <(veil completion bash)
_veil() {
	local cur=${COMP_WORDS[COMP_CWORD]} words="" flags=""
	if [[ $COMP_CWORD -eq 1 ]]; then
		COMPREPLY=($(compgen -W "%s --help --version" -- "$cur"))
		return
	fi
	case ${COMP_WORDS[1]} in
`, strings.Join(names, " "))
	for _, c := range cmds {
		if c.name != "help" {
			fmt.Fprintf(&b, "\t%s) words=%q flags=%q ;;\n", c.name, strings.Join(c.words, " "), flagNames(c))
		}
	}
	b.WriteString(`	help) words="` + strings.Join(names, " ") + `" ;;
	esac
	if [[ $COMP_CWORD -eq 2 && -n $words ]]; then
		COMPREPLY=($(compgen -W "$words" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
	fi
}
complete -o default -F _veil veil
`)
	return b.String()
}

// zshText quotes s for a single-quoted zsh completion spec.
func zshText(s string) string {
	return strings.NewReplacer("'", `'\''`, "[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

// fishText quotes s for a single-quoted fish string.
func fishText(s string) string {
	return strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s)
}

func zshCompletion(cmds []completionCommand) string {
	var b strings.Builder
	b.WriteString("#compdef veil\n# zsh completion for veil: source <(veil completion zsh), after compinit\n_veil() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "\t\t'%s:%s'\n", c.name, zshText(c.summary))
	}
	b.WriteString("\t)\n\tif (( CURRENT == 2 )); then\n\t\t_describe 'command' commands\n\t\treturn\n\tfi\n\tcase $words[2] in\n")
	for _, c := range cmds {
		fmt.Fprintf(&b, "\t%s)\n\t\t_arguments", c.name)
		for _, f := range c.flags {
			spec := fmt.Sprintf("--%s[%s]", f.name, zshText(f.usage))
			if f.value {
				spec += ":" + f.name + ":_files"
			}
			fmt.Fprintf(&b, " \\\n\t\t\t'%s'", spec)
		}
		switch {
		case len(c.words) > 0:
			fmt.Fprintf(&b, " \\\n\t\t\t'1:word:(%s)'", strings.Join(c.words, " "))
		case c.name == "help":
			b.WriteString(" \\\n\t\t\t'1:command:->commands'")
		}
		b.WriteString("\n\t\t;;\n")
	}
	b.WriteString("\tesac\n\t[[ $state == commands ]] && _describe 'command' commands\n}\ncompdef _veil veil\n")
	return b.String()
}

func fishCompletion(cmds []completionCommand) string {
	var b strings.Builder
	b.WriteString("# fish completion for veil: veil completion fish | source\ncomplete -c veil -f\n")
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	for _, c := range cmds {
		fmt.Fprintf(&b, "complete -c veil -n 'not __fish_seen_subcommand_from %s' -a %s -d '%s'\n",
			strings.Join(names, " "), c.name, fishText(c.summary))
	}
	for _, c := range cmds {
		cond := fmt.Sprintf("-n '__fish_seen_subcommand_from %s'", c.name)
		if len(c.words) > 0 {
			fmt.Fprintf(&b, "complete -c veil %s -a '%s'\n", cond, strings.Join(c.words, " "))
		}
		for _, f := range c.flags {
			req := ""
			if f.value {
				req = " -r -F"
			}
			fmt.Fprintf(&b, "complete -c veil %s -l %s%s -d '%s'\n", cond, f.name, req, fishText(f.usage))
		}
	}
	return b.String()
}
