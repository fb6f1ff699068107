# bash completion for pairsim: commands, their options, and files by kind.
_pairsim() {
  local cur prev cmd sub
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  local commands="run campaign pin shrink sweep explore grade asm disasm table export disk help version"
  local common="-h --help --color"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
    return
  fi
  cmd=${COMP_WORDS[1]}
  sub=${COMP_WORDS[2]}
  case $prev in
    --color|--colour) COMPREPLY=($(compgen -W "never auto always" -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "trace debug info warn error critical off" -- "$cur")); return ;;
    --scenario) COMPREPLY=($(compgen -f -X '!*.scn' -- "$cur") $(compgen -d -- "$cur")); return ;;
    -o|--out|--output|--trace|--vcd|--perfetto|--html|--file|--image) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --keep|--shards) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --seed|--seeds|--jobs|-j|--timeout|--shard|--moments|--max-moments|--line|--moment|--pair|--replay|--volume|--blocks|--drive|--records)
      return ;;
  esac
  local opts files="-f"
  case $cmd in
    run) opts="--scenario --seed --vcd --trace --perfetto --html --json --table --pair --all --explain --log-level" ;;
    campaign)
      if [[ $sub == merge ]]; then opts="--shards -o --out"; files="-d"
      else opts="--scenario --seeds -j --jobs -o --out --timeout --shard"
        [[ $COMP_CWORD -eq 2 ]] && opts="merge $opts"
      fi ;;
    pin) opts="--scenario --seed -o --out" ;;
    shrink) opts="--scenario --seed -o --out --timeout -q --quiet" ;;
    sweep) opts="--scenario --moments --line --seed -j --jobs -o --out --timeout --separate --moment --json --trace --vcd --table --pair --log-level" ;;
    explore) opts="--scenario --max-moments --line --seed -j --jobs -o --out --timeout --separate --moment --json --trace --vcd --table --pair --log-level" ;;
    grade) opts="--quick -j --jobs --replay --keep" ;;
    asm) opts="--file -o --output --listing" ;;
    disasm) opts="--file" ;;
    table) opts="--trace --pair --all --explain" ;;
    export) if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "perfetto" -- "$cur")); return; fi
      opts="--trace -o --output" ;;
    disk)
      if [[ $COMP_CWORD -eq 2 ]]; then COMPREPLY=($(compgen -W "create ls dump check" -- "$cur")); return; fi
      case $sub in
        create) opts="--image --volume --blocks --single --force" ;;
        ls|check) opts="--image" ;;
        dump) opts="--image --file --drive --records --words" ;;
      esac ;;
    help) [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "$commands" -- "$cur")); return ;;
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
  else
    COMPREPLY=($(compgen $files -- "$cur"))
  fi
}
complete -o filenames -F _pairsim pairsim
