package dev.jmesh.agent.inbound;

import dev.jmesh.agent.runtime.AgentThreadFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollEventLoopGroup;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link InboundListenerTest} on the epoll transport, the agent's default on Linux. */
@EnabledOnOs(OS.LINUX)
class InboundListenerOnEpollTest extends InboundListenerTest {
  @Override
  EventLoopGroup newLoops(AgentThreadFactory threads) {
    return new EpollEventLoopGroup(2, threads);
  }
}
