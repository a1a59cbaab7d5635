#!/usr/bin/env python3
"""Man pages for a swift-argument-parser tool, from the tool's own help.

Usage: scripts/manpages.py <tool binary> <output folder>

Runs `<tool> --experimental-dump-help` (ArgumentParser's ToolInfo JSON, serialization version 0)
and writes one roff page per command into the output folder: `git-ml.1`, `git-ml-data.1`,
`git-ml-data-add.1`, ... so that `man git-ml`, `git help ml` and `git ml --help` find them. Hidden
commands and options are left out, as `--help` leaves them out.
"""
import json
import subprocess
import sys
from pathlib import Path


def roff(text):
    """Text as roff body lines: backslashes escaped, no line starting with a control character."""
    lines = []
    for line in text.replace("\\", "\\e").split("\n"):
        lines.append("\\&" + line if line.startswith((".", "'")) else line)
    return "\n".join(lines)


def paragraphs(text):
    """Discussion text: blank lines become paragraph breaks, indented lines stay verbatim."""
    out = []
    for block in text.strip().split("\n\n"):
        if any(line.startswith("  ") for line in block.split("\n")):
            out.append(".PP\n.nf\n" + roff(block) + "\n.fi")
        else:
            out.append(".PP\n" + roff(" ".join(line.strip() for line in block.split("\n"))))
    return "\n".join(out)


def option_label(argument):
    names = [("--" if n["kind"] == "long" else "-") + n["name"] for n in argument.get("names", [])]
    value = argument.get("valueName")
    if argument["kind"] == "positional":
        return "\\fI<" + (value or "value") + ">\\fR" + (" ..." if argument.get("isRepeating") else "")
    label = ", ".join("\\fB" + n.replace("-", "\\-") + "\\fR" for n in names)
    if argument["kind"] == "option":
        label += " \\fI<" + (value or "value") + ">\\fR"
    return label


def page(command, path, version):
    name = "-".join(path)
    words = " ".join(["git", path[0][4:]] + path[1:]) if path[0].startswith("git-") else " ".join(path)
    arguments = [a for a in command.get("arguments", []) if a.get("shouldDisplay", True)]
    subcommands = [c for c in command.get("subcommands", []) if c.get("shouldDisplay", True)]
    out = [
        '.TH "%s" 1 "" "GitML %s" "GitML Manual"' % (name.upper(), version),
        ".SH NAME",
        "%s \\- %s" % (name, roff(command.get("abstract", ""))),
        ".SH SYNOPSIS",
        ".B %s" % words + (" <command>" if subcommands else ""),
    ]
    for a in arguments:
        out.append(("[" + option_label(a) + "]") if a.get("isOptional") else option_label(a))
    if command.get("discussion") or command.get("abstract"):
        out += [".SH DESCRIPTION", paragraphs(command.get("abstract", "")),
                paragraphs(command.get("discussion", "")) if command.get("discussion") else ""]
    if subcommands:
        out.append(".SH COMMANDS")
        for sub in subcommands:
            out += [".TP", "\\fB%s\\fR" % sub["commandName"],
                    roff(sub.get("abstract", "")) + " See \\fB%s\\-%s\\fR(1)." % (name, sub["commandName"])]
    if arguments:
        out.append(".SH OPTIONS")
        for a in arguments:
            help_text = a.get("abstract", "")
            if a.get("discussion"):
                help_text += " " + a["discussion"]
            if a.get("allValues"):
                help_text += " (values: %s)" % ", ".join(a["allValues"])
            if a.get("defaultValue"):
                help_text += " (default: %s)" % a["defaultValue"]
            out += [".TP", option_label(a), roff(help_text.strip())]
    parent = "-".join(path[:-1])
    out += [".SH SEE ALSO", "\\fB%s\\fR(1)" % parent if parent else "\\fBgit\\fR(1)"]
    return "\n".join(line for line in out if line != "") + "\n"


def walk(command, path, version, folder):
    (folder / ("-".join(path) + ".1")).write_text(page(command, path, version))
    count = 1
    for sub in command.get("subcommands", []):
        if sub.get("shouldDisplay", True):
            count += walk(sub, path + [sub["commandName"]], version, folder)
    return count


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tool, folder = sys.argv[1], Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    info = json.loads(subprocess.run([tool, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    version = subprocess.run([tool, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    root = info["command"]
    count = walk(root, [root["commandName"]], version, folder)
    print("%d man pages for %s in %s" % (count, root["commandName"], folder))


if __name__ == "__main__":
    main()
