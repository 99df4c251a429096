import { boundedMessageId, MAX_MESSAGE_ID_LENGTH } from '../../shared/app/message-id';

describe('boundedMessageId', () => {
  it('when an id fits Service Bus, then it is kept as it is', () => {
    expect(boundedMessageId('E10042.1/laptop/run-step/1')).toBe('E10042.1/laptop/run-step/1');
  });

  it('when an id is longer than 128 characters, then it is cut to 128, stays deterministic, and two ids that share a head differ', () => {
    const head = `${'E'.repeat(64)}.1/laptop/resume-step/0/${'S'.repeat(60)}`;
    const a = boundedMessageId(`${head}/A`);
    const b = boundedMessageId(`${head}/B`);
    expect(a).toHaveLength(MAX_MESSAGE_ID_LENGTH);
    expect(a).toBe(boundedMessageId(`${head}/A`));
    expect(a).not.toBe(b);
    expect(a.startsWith('EEEE')).toBe(true);
  });
});
