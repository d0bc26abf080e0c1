package dev.jmesh.agent.outbound;

import dev.jmesh.agent.runtime.AgentThreadFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link EgressTest} on the epoll transport, the agent's default on Linux. */
@EnabledOnOs(OS.LINUX)
class EgressOnEpollTest extends EgressTest {
  @Override
  EventLoopGroup newLoops(AgentThreadFactory threads) {
    return new EpollEventLoopGroup(2, threads);
  }
}
