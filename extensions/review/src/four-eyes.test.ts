import { fourEyesHint } from './four-eyes';
import { DOC } from './testing/fixtures';

describe('the four-eyes hint', () => {
  it('tells whoever uploaded or corrected it, at or over the limit, that another reviewer must approve', () => {
    expect(fourEyesHint(DOC, 'alice', 'en')).toEqual({ text: 'At or over 100.00 EUR: another reviewer must approve (you uploaded it)', uploaded: true, corrected: false });
    const corrected = { ...DOC, correctedBy: ['alice', 'carol'], fourEyes: { limit: '1000', applies: true, excluded: ['alice', 'carol'] } };
    expect(fourEyesHint(corrected, 'alice', 'en')?.text).toBe('At or over 1,000.00 EUR: another reviewer must approve (you uploaded and corrected it)');
    expect(fourEyesHint(corrected, 'carol', 'en')?.text).toBe('At or over 1,000.00 EUR: another reviewer must approve (you corrected it)');
    // A limit for every currency (`*`) and a document whose currency was not read.
    expect(fourEyesHint({ ...DOC, currency: null }, 'alice', 'en')?.text).toBe('At or over 100.00: another reviewer must approve (you uploaded it)');
  });

  it('says nothing to the second pair of eyes, under the limit, without a limit, or when the server does not say', () => {
    expect(fourEyesHint(DOC, 'bob')).toBeNull();
    expect(fourEyesHint({ ...DOC, fourEyes: { limit: '5000', applies: false, excluded: [] } }, 'alice')).toBeNull();
    expect(fourEyesHint({ ...DOC, fourEyes: null }, 'alice')).toBeNull();
    expect(fourEyesHint({ ...DOC, fourEyes: undefined }, 'alice')).toBeNull();
    expect(fourEyesHint(DOC, null)).toBeNull();
  });
});
