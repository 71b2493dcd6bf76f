package io.updraft.kato.nats;

import picocli.CommandLine.Command;

/** {@code kato nats}: commands about the message bus. */
@Command(name = "nats", mixinStandardHelpOptions = true,
    description = "Watch the NATS message bus.",
    subcommands = NatsTailCommand.class)
public final class NatsCommand {
}
