import { GraphError } from '../../shared/adapters/graph/graph-client';
import { isNotFound, means, type GraphErrorMeaning } from '../../shared/adapters/graph/graph-errors';

// The one place where Graph error messages are matched: each documented (or observed) text with a test.
// Sources: group members https://learn.microsoft.com/graph/api/group-post-members and group-delete-members;
// licences https://learn.microsoft.com/graph/api/user-assignlicense; message texts may change, so status
// and code decide first (https://learn.microsoft.com/graph/errors).
const cases: [GraphErrorMeaning, number, string][] = [
  [
    'alreadyMember',
    400,
    "One or more added object references already exist for the following modified properties: 'members'.",
  ],
  [
    'notMember',
    400,
    "One or more removed object references do not exist for the following modified properties: 'members'.",
  ],
  ['notMember', 404, "Resource 'x' does not exist or one of its queried reference-property objects are not present."],
  ['noSeat', 400, 'Subscription with SKU 6fd2c87f-b296-42f0-b197-1e91e994b900 does not have any available licenses.'],
  ['invalidUsageLocation', 400, 'License assignment cannot be done for user with invalid usage location.'],
  [
    'inherited',
    400,
    'User license is inherited from a group membership and it cannot be removed directly from the user.',
  ],
  ['notHeld', 400, 'User does not have a corresponding license.'],
];

describe('Graph errors, by meaning', () => {
  it.each(cases)(
    'when Graph answers %s (%d), then it is recognised, and no other meaning is',
    (meaning, status, message) => {
      const err = new GraphError(status, status === 404 ? 'Request_ResourceNotFound' : 'Request_BadRequest', message);
      expect(means(err, meaning)).toBe(true);
      const others = cases.map(([m]) => m).filter((m) => m !== meaning);
      expect(others.filter((m) => means(err, m))).toEqual([]);
    },
  );

  it('when the same text comes with another status, then it is not taken for that meaning', () => {
    expect(means(new GraphError(500, 'x', 'does not have any available licenses'), 'noSeat')).toBe(false);
    expect(means(new Error('does not have any available licenses'), 'noSeat')).toBe(false);
  });

  it('when a 404 names an object, then isNotFound tells which object was missing', () => {
    const err = new GraphError(
      404,
      'Request_ResourceNotFound',
      "Resource 'group-1' does not exist or one of its queried reference-property objects are not present.",
    );
    expect(isNotFound(err, 'group-1')).toBe(true);
    expect(isNotFound(err, 'user-2')).toBe(false);
    expect(isNotFound(new GraphError(400, 'x', 'group-1'))).toBe(false);
  });
});
