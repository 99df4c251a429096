import { employeeIdOf, onboardingId } from '../../shared/domain/onboarding-id';

// Onboarding ids carry their partition key (the employee id): a point read needs both, and an id that is
// not one of ours must be answered 404 without a read (a malformed id is never a partition key).

describe('onboarding ids', () => {
  it('when an onboarding id is made, then it is the employee id and the sequence, and the employee id reads back', () => {
    expect(onboardingId('E10042', 1)).toBe('E10042.1');
    expect(employeeIdOf(onboardingId('E10042', 12))).toBe('E10042');
    expect(employeeIdOf('a_b-C9.3')).toBe('a_b-C9');
  });

  it.each([
    ['no sequence', 'E10042'],
    ['an empty sequence', 'E10042.'],
    ['a sequence from 0', 'E10042.0'],
    ['a leading zero', 'E10042.01'],
    ['a sequence past nine digits', 'E10042.1234567890'],
    ['a letter in the sequence', 'E10042.1a'],
    ['an empty employee id', '.1'],
    ['an employee id past 64 characters', `${'E'.repeat(65)}.1`],
    ['a character outside the alphabet', 'E10/042.1'],
    ['something before', 'x E10042.1'],
    ['something after', 'E10042.1 x'],
    ['two dots', 'E10042.1.2'],
  ])('when the id has %s, then it is not one of ours', (_name, id) => {
    expect(employeeIdOf(id)).toBeNull();
  });

  it('when the employee id is 64 characters and the sequence nine digits, then it is one of ours', () => {
    expect(employeeIdOf(`${'E'.repeat(64)}.999999999`)).toBe('E'.repeat(64));
  });
});
