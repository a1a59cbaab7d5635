
# `git ml <TAB>` and `git mlcommit <TAB>` (appended by scripts/dist.sh): git's bash completion
# calls _git_<command> for a command it does not know; hand the line to GitML's own completion as
# if `git-ml` had been typed ("git ml" and "git-ml" have the same length, so the cursor stays put).
_gitml_git_bridge() {  # $1: git-ml or git-mlcommit
    local COMP_LINE=${COMP_LINE/git ${1#git-}/$1}
    local -a COMP_WORDS=("$1" "${COMP_WORDS[@]:2}")
    local COMP_CWORD=$((COMP_CWORD - 1))
    declare -F "_$1" >/dev/null || return 0
    "_$1" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
}
_git_ml() { _gitml_git_bridge git-ml; }
_git_mlcommit() { _gitml_git_bridge git-mlcommit; }
