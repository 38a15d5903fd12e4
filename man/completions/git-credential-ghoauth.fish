# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_git_credential_ghoauth_global_optspecs
    string join \n cache-seconds= keyring-timeout= store= h/help V/version
end

function __fish_git_credential_ghoauth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_git_credential_ghoauth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_git_credential_ghoauth_using_subcommand
    set -l cmd (__fish_git_credential_ghoauth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -l cache-seconds -d 'Seconds a credential found in the keyring stays in the kernel keyring cache (0 turns the cache off; at most 86400)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -l keyring-timeout -d 'Seconds to wait for the OS keyring before giving up, so that git never hangs (1 to 300)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -l store -d 'Where to keep credentials on Linux: auto (the Secret Service if there is one, else the kernel keyring), secret-service, or kernel (the kernel\'s persistent keyring: no D-Bus needed, gone at reboot)' -r -f -a "auto\t''
secret-service\t''
kernel\t''"
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -s V -l version -d 'Print version'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "get" -d 'Answer git\'s request on standard input with a stored credential, or sign in to an OAuth host'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "store" -d 'Keep the credential on standard input (git sends this after it was accepted)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "erase" -d 'Remove the matching credentials and revoke tokens obtained here (git sends this after one was refused); with --host, a person\'s logout'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "setup" -d 'Create your own GitHub App, install it and sign in: setup with nothing to copy or paste'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "login" -d 'Sign in to a GitHub host now, keep the token, and say who is signed in'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "logout" -d 'Forget the host\'s tokens and revoke them at GitHub (one account, or all)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "use" -d 'Choose which account answers for an owner\'s repositories, or the host\'s default account'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "doctor" -d 'Find what keeps git and this helper from working together, and name each fix'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "token" -d 'Print a token that works now, for scripts: the credential itself, so treat the output as a password'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "status" -d 'Show the stored accounts: login, scopes, expiry, where, and the token masked'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "configure" -d 'Write the git config that makes a host an OAuth host served by this helper'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "unconfigure" -d 'Remove exactly what configure wrote for the host'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh or fish) for this command'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand get" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand store" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand erase" -l host -d 'Erase (and revoke) this host\'s credentials, as logout does, instead of reading stdin' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand erase" -l user -d 'With --host: only this account' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand erase" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand setup" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand setup" -l org -d 'Create the app for this organisation (you must be one of its owners)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand setup" -l force -d 'Set up again even when the host already has an app configured'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand setup" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -l flow -d 'How to sign in: in the browser, or with a code typed at GitHub (default: as credential.<url>.ghoauthFlow says)' -r -f -a "browser\t''
device\t''"
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -l browser -d 'Old spelling of --flow browser'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -l device -d 'Old spelling of --flow device'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -l force -d 'Sign in again even when a working token is stored'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand login" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand logout" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand logout" -l user -d 'Only this account' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand logout" -l all -d 'Every token this helper obtained, on every host (credentials git stored stay)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand logout" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand use" -l for -d 'The owner (a user or organisation name, or a URL under the host) whose repositories LOGIN is for (default: the owner of the current repository\'s push remote)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand use" -l host -d 'A host name (github.com) or URL (default: the host of --for\'s URL or of the push remote, else github.com)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand use" -l clear -d 'Remove OWNER\'s binding instead' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand use" -l default -d 'Make LOGIN the host\'s default account: the one that answers when git names none and no binding applies'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand use" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand doctor" -l host -d 'Only this host (a name or a URL); every configured host when left out' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand doctor" -l offline -d 'Make no network request'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand doctor" -l json -d 'One JSON object (a stable format: see the man page\'s description)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand token" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand token" -l user -d 'The account, when the host has several (default: the one git would get)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand token" -l include-passwords -d 'Also print a password git stored for the host (not a token this helper obtained)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand status" -l host -d 'Only this host (a name or a URL); all hosts when left out' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand status" -l json -d 'The same facts as one JSON object (a stable format: see the man page\'s description)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -l client-id -d 'The OAuth app\'s client id; without it, github.com uses the app built into this binary, when it has one (see --version)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -l client-secret -d 'The OAuth app\'s client secret; visible to other users in the process list, so prefer GHOAUTH_CLIENT_SECRET or --client-secret-stdin' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -l flow -d 'browser, device or auto' -r -f -a "browser\t''
device\t''
auto\t'The device flow where no browser can open, else the browser flow'"
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -l client-secret-stdin -d 'Read the client secret from the first line of standard input'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand configure" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand unconfigure" -l host -d 'A host name (github.com) or URL (https://ghe.example.com, http://127.0.0.1:8080)' -r
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand unconfigure" -l all -d 'Every host configure wrote settings for'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand unconfigure" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand completions" -s h -l help -d 'Print help'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "get" -d 'Answer git\'s request on standard input with a stored credential, or sign in to an OAuth host'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "store" -d 'Keep the credential on standard input (git sends this after it was accepted)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "erase" -d 'Remove the matching credentials and revoke tokens obtained here (git sends this after one was refused); with --host, a person\'s logout'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "setup" -d 'Create your own GitHub App, install it and sign in: setup with nothing to copy or paste'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "login" -d 'Sign in to a GitHub host now, keep the token, and say who is signed in'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "logout" -d 'Forget the host\'s tokens and revoke them at GitHub (one account, or all)'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "use" -d 'Choose which account answers for an owner\'s repositories, or the host\'s default account'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "doctor" -d 'Find what keeps git and this helper from working together, and name each fix'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "token" -d 'Print a token that works now, for scripts: the credential itself, so treat the output as a password'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "status" -d 'Show the stored accounts: login, scopes, expiry, where, and the token masked'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "configure" -d 'Write the git config that makes a host an OAuth host served by this helper'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "unconfigure" -d 'Remove exactly what configure wrote for the host'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "completions" -d 'Print shell completions (bash, zsh or fish) for this command'
complete -c git-credential-ghoauth -n "__fish_git_credential_ghoauth_using_subcommand help; and not __fish_seen_subcommand_from get store erase setup login logout use doctor token status configure unconfigure completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
